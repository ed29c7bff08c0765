// quota/lmdb_quota_store.cc — the only file that includes <lmdb.h>.
//
// Layout: database "counters" maps subject -> encoded SubjectRecord;
// database "overrides" maps identity -> class name, "records" key -> an
// opaque record (abuse state). Every operation is one
// transaction; write transactions are serialised by LMDB's cross-process
// writer lock, which is what makes Reserve() exact under concurrency.
// Failures: every LMDB error becomes a Status naming the operation.
#include "quota/lmdb_quota_store.h"

#include <lmdb.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <system_error>

#include "core/log.h"
#include "quota/subject_record.h"

namespace sendguard {
namespace quota {

namespace {

Status LmdbError(const char* what, int rc) {
  std::string m = std::string("quota store: ") + what + ": " + mdb_strerror(rc);
  if (rc == MDB_MAP_FULL || rc == MDB_READERS_FULL) return Status::Unavailable(m);
  if (rc == MDB_BAD_VALSIZE) return Status::InvalidArgument(m + " (key too long)");
  if (rc == MDB_CORRUPTED || rc == MDB_PANIC || rc == MDB_INVALID) return Status::Internal(m);
  return Status::IoError(m);
}

MDB_val Val(const std::string& s) {
  MDB_val v;
  v.mv_size = s.size();
  v.mv_data = const_cast<char*>(s.data());
  return v;
}

Status MakeDirs(const std::string& dir) {
  std::string partial;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      partial = dir.substr(0, i);
      if (mkdir(partial.c_str(), 0750) != 0 && errno != EEXIST) {
        return Status::IoError("quota store: mkdir " + partial + ": " + std::strerror(errno));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

struct LmdbQuotaStore::Env {
  MDB_env* env = nullptr;
  MDB_dbi counters = 0;
  MDB_dbi overrides = 0;
  MDB_dbi records = 0;

  ~Env() {
    if (env != nullptr) mdb_env_close(env);
  }

  // Runs `body` in a transaction; commits if it returns ok and `write`.
  Status Run(bool write, const std::function<Status(MDB_txn*)>& body) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env, nullptr, write ? 0 : MDB_RDONLY, &txn);
    if (rc == MDB_MAP_RESIZED) {  // another process grew the map
      mdb_env_set_mapsize(env, 0);
      rc = mdb_txn_begin(env, nullptr, write ? 0 : MDB_RDONLY, &txn);
    }
    if (rc != 0) return LmdbError("begin transaction", rc);
    Status st = body(txn);
    if (!st.ok() || !write) {
      mdb_txn_abort(txn);
      return st;
    }
    rc = mdb_txn_commit(txn);
    return rc == 0 ? Status::Ok() : LmdbError("commit", rc);
  }

  Result<SubjectRecord> Load(MDB_txn* txn, const std::string& subject) {
    MDB_val key = Val(subject), data;
    int rc = mdb_get(txn, counters, &key, &data);
    if (rc == MDB_NOTFOUND) return SubjectRecord();
    if (rc != 0) return LmdbError("get", rc);
    Result<SubjectRecord> record = SubjectRecord::Decode(data.mv_data, data.mv_size);
    if (!record.ok()) {
      return Status::Internal(record.status().message() + " (subject " + subject +
                              "; 'sendguard quota reset' clears it)");
    }
    return record;
  }

  Status Store(MDB_txn* txn, const std::string& subject, const SubjectRecord& record) {
    MDB_val key = Val(subject);
    if (record.Empty()) {
      int rc = mdb_del(txn, counters, &key, nullptr);
      return (rc == 0 || rc == MDB_NOTFOUND) ? Status::Ok() : LmdbError("delete", rc);
    }
    std::string bytes = record.Encode();
    MDB_val data = Val(bytes);
    int rc = mdb_put(txn, counters, &key, &data, 0);
    return rc == 0 ? Status::Ok() : LmdbError("put", rc);
  }
};

LmdbStoreOptions LmdbStoreOptions::From(const QuotaOptions& options) {
  LmdbStoreOptions o;
  o.map_size_bytes = options.map_size_mb << 20;
  o.sync_writes = options.sync_writes;
  return o;
}

LmdbQuotaStore::LmdbQuotaStore(std::unique_ptr<Env> env) : env_(std::move(env)) {}
LmdbQuotaStore::~LmdbQuotaStore() = default;

Result<std::unique_ptr<LmdbQuotaStore>> LmdbQuotaStore::Open(
    const std::string& dir, const LmdbStoreOptions& options) {
  Status st = MakeDirs(dir);
  if (!st.ok()) return st;
  auto env = std::make_unique<Env>();
  int rc = mdb_env_create(&env->env);
  if (rc != 0) return LmdbError("create environment", rc);
  mdb_env_set_maxdbs(env->env, 4);
  mdb_env_set_maxreaders(env->env, 512);  // one short read per message per thread
  mdb_env_set_mapsize(env->env, static_cast<size_t>(options.map_size_bytes));
  unsigned flags = MDB_NOTLS;
  if (!options.sync_writes) flags |= MDB_NOSYNC | MDB_WRITEMAP | MDB_MAPASYNC;
  rc = mdb_env_open(env->env, dir.c_str(), flags, 0640);
  if (rc != 0) return LmdbError(("open " + dir).c_str(), rc);
  int stale = 0;
  mdb_reader_check(env->env, &stale);
  if (stale > 0) {
    SG_LOG(kInfo) << "quota store: cleared " << stale << " stale readers";
  }
  Env* e = env.get();
  st = e->Run(true, [e](MDB_txn* txn) {
    int r = mdb_dbi_open(txn, "counters", MDB_CREATE, &e->counters);
    if (r == 0) r = mdb_dbi_open(txn, "overrides", MDB_CREATE, &e->overrides);
    if (r == 0) r = mdb_dbi_open(txn, "records", MDB_CREATE, &e->records);
    return r == 0 ? Status::Ok() : LmdbError("open databases", r);
  });
  if (!st.ok()) return st;
  return std::unique_ptr<LmdbQuotaStore>(new LmdbQuotaStore(std::move(env)));
}

Result<ReserveOutcome> LmdbQuotaStore::Reserve(const ReserveRequest& request) {
  ReserveOutcome outcome;
  Env* e = env_.get();
  Status st = e->Run(true, [&](MDB_txn* txn) -> Status {
    std::vector<SubjectRecord> records;
    for (const SubjectLimits& s : request.subjects) {
      Result<SubjectRecord> record = e->Load(txn, s.subject);
      if (!record.ok()) return record.status();
      records.push_back(std::move(record).value());
      records.back().Prune(request.now_seconds);
      for (const WindowLimit& limit : s.limits) {
        int64_t extra = request.delta.Of(limit.metric);
        if (extra == 0) continue;
        LimitCheck check = records.back().Check(limit, extra, request.now_seconds);
        if (check.fits) continue;
        outcome = {false, s.subject, limit, check.used, check.retry_after_seconds};
        return Status::NotFound("over limit");  // aborts: nothing is written
      }
    }
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].AddPending(request.id, request.delta, request.deadline_seconds);
      Status put = e->Store(txn, request.subjects[i].subject, records[i]);
      if (!put.ok()) return put;
    }
    return Status::Ok();
  });
  if (!outcome.accepted) return outcome;
  if (!st.ok()) return st;
  return outcome;
}

namespace {

Status GetIn(MDB_txn* txn, MDB_dbi dbi, const std::string& k, StoredRecord* out) {
  MDB_val key = Val(k), data;
  int rc = mdb_get(txn, dbi, &key, &data);
  *out = StoredRecord();
  if (rc == MDB_NOTFOUND) return Status::Ok();
  if (rc != 0) return LmdbError("get record", rc);
  *out = ParseVersionedValue(std::string(static_cast<const char*>(data.mv_data), data.mv_size));
  return Status::Ok();
}

// Stores `bytes` as the version after `current` ("" deletes).
Status PutIn(MDB_txn* txn, MDB_dbi dbi, const std::string& k, const StoredRecord& current, const std::string& bytes) {
  MDB_val key = Val(k);
  if (bytes.empty()) {
    int rc = mdb_del(txn, dbi, &key, nullptr);
    return (rc == 0 || rc == MDB_NOTFOUND) ? Status::Ok() : LmdbError("delete record", rc);
  }
  std::string value = VersionedValue(current.version + 1, bytes);
  MDB_val data = Val(value);
  int rc = mdb_put(txn, dbi, &key, &data, 0);
  return rc == 0 ? Status::Ok() : LmdbError("put record", rc);
}

// The conditional write of `w` inside an open write transaction.
Status WriteIn(MDB_txn* txn, MDB_dbi dbi, RecordWrite* w) {
  StoredRecord current;
  Status s = GetIn(txn, dbi, w->key, &current);
  if (!s.ok()) return s;
  w->done = true;
  w->written = current.version == w->expected;
  if (!w->written) {
    w->current = std::move(current);
    return Status::Ok();
  }
  return PutIn(txn, dbi, w->key, current, w->bytes);
}

}  // namespace

Status LmdbQuotaStore::Commit(const CommitRequest& request) {
  Env* e = env_.get();
  return e->Run(true, [&](MDB_txn* txn) -> Status {
    for (const SubjectLimits& s : request.subjects) {
      Result<SubjectRecord> record = e->Load(txn, s.subject);
      if (!record.ok()) return record.status();
      record->Prune(request.now_seconds);
      record->RemovePending(request.id);
      record->AddCommitted(SeriesToCount(s.limits), request.amounts, request.now_seconds);
      Status put = e->Store(txn, s.subject, *record);
      if (!put.ok()) return put;
    }
    return request.record ? WriteIn(txn, e->records, request.record) : Status::Ok();
  });
}

Status LmdbQuotaStore::Release(uint64_t id, const std::vector<std::string>& subjects, RecordWrite* write) {
  Env* e = env_.get();
  return e->Run(true, [&](MDB_txn* txn) -> Status {
    for (const std::string& subject : subjects) {
      Result<SubjectRecord> record = e->Load(txn, subject);
      if (!record.ok()) return record.status();
      record->RemovePending(id);
      Status put = e->Store(txn, subject, *record);
      if (!put.ok()) return put;
    }
    return write ? WriteIn(txn, e->records, write) : Status::Ok();
  });
}

Result<std::vector<LimitUsage>> LmdbQuotaStore::Read(const SubjectLimits& subject,
                                                     int64_t now) {
  std::vector<LimitUsage> usage;
  Env* e = env_.get();
  Status st = e->Run(false, [&](MDB_txn* txn) -> Status {
    Result<SubjectRecord> record = e->Load(txn, subject.subject);
    if (!record.ok()) return record.status();
    for (const WindowLimit& limit : subject.limits) {
      LimitUsage u;
      u.limit = limit;
      u.committed = record->Committed(limit, now);
      u.pending = record->Pending(limit.metric, now);
      LimitCheck check = record->Check(limit, 1, now);
      u.frees_at_seconds = check.fits ? 0 : check.retry_after_seconds;
      usage.push_back(u);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return usage;
}

Status LmdbQuotaStore::Reset(const std::string& subject) {
  Env* e = env_.get();
  return e->Run(true, [&](MDB_txn* txn) -> Status {
    MDB_val key = Val(subject);
    int rc = mdb_del(txn, e->counters, &key, nullptr);
    return (rc == 0 || rc == MDB_NOTFOUND) ? Status::Ok() : LmdbError("delete", rc);
  });
}

Result<std::vector<TopEntry>> LmdbQuotaStore::Top(size_t n, int64_t now) {
  std::vector<TopEntry> all;
  std::vector<WindowLimit> stats = StatisticsSeries();
  Env* e = env_.get();
  Status st = e->Run(false, [&](MDB_txn* txn) -> Status {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, e->counters, &cursor);
    if (rc != 0) return LmdbError("open cursor", rc);
    MDB_val key, data;
    for (rc = mdb_cursor_get(cursor, &key, &data, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)) {
      Result<SubjectRecord> record = SubjectRecord::Decode(data.mv_data, data.mv_size);
      if (!record.ok()) continue;  // reported by Reserve/Read of that subject
      TopEntry t;
      t.subject.assign(static_cast<const char*>(key.mv_data), key.mv_size);
      t.last_hour.messages = record->Committed(stats[0], now);
      t.last_hour.recipients = record->Committed(stats[1], now);
      t.last_hour.bytes = record->Committed(stats[2], now);
      if (!t.last_hour.IsZero()) all.push_back(std::move(t));
    }
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? Status::Ok() : LmdbError("scan", rc);
  });
  if (!st.ok()) return st;
  KeepHeaviest(n, &all);
  return all;
}

Result<size_t> LmdbQuotaStore::CollectGarbage(int64_t now) {
  size_t deleted = 0;
  Env* e = env_.get();
  Status st = e->Run(true, [&](MDB_txn* txn) -> Status {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, e->counters, &cursor);
    if (rc != 0) return LmdbError("open cursor", rc);
    MDB_val key, data;
    for (rc = mdb_cursor_get(cursor, &key, &data, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)) {
      Result<int64_t> expires = SubjectRecord::DecodeExpiresAt(data.mv_data, data.mv_size);
      if (expires.ok() && *expires > now) continue;
      if (!expires.ok()) {
        SG_LOG(kWarning) << "quota store: dropping unreadable record "
                         << std::string(static_cast<const char*>(key.mv_data), key.mv_size);
      }
      rc = mdb_cursor_del(cursor, 0);
      if (rc != 0) break;
      ++deleted;
    }
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? Status::Ok() : LmdbError("garbage collection", rc);
  });
  if (!st.ok()) return st;
  return deleted;
}

Result<std::optional<std::string>> LmdbQuotaStore::GetOverride(const std::string& identity) {
  std::optional<std::string> found;
  Env* e = env_.get();
  Status st = e->Run(false, [&](MDB_txn* txn) -> Status {
    MDB_val key = Val(identity), data;
    int rc = mdb_get(txn, e->overrides, &key, &data);
    if (rc == MDB_NOTFOUND) return Status::Ok();
    if (rc != 0) return LmdbError("get override", rc);
    found.emplace(static_cast<const char*>(data.mv_data), data.mv_size);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return found;
}

Status LmdbQuotaStore::SetOverride(const std::string& identity, const std::string& class_name) {
  Env* e = env_.get();
  return e->Run(true, [&](MDB_txn* txn) -> Status {
    MDB_val key = Val(identity), data = Val(class_name);
    int rc = mdb_put(txn, e->overrides, &key, &data, 0);
    return rc == 0 ? Status::Ok() : LmdbError("put override", rc);
  });
}

Status LmdbQuotaStore::ClearOverride(const std::string& identity) {
  Env* e = env_.get();
  return e->Run(true, [&](MDB_txn* txn) -> Status {
    MDB_val key = Val(identity);
    int rc = mdb_del(txn, e->overrides, &key, nullptr);
    return (rc == 0 || rc == MDB_NOTFOUND) ? Status::Ok() : LmdbError("delete override", rc);
  });
}

// In one write transaction the record cannot change under the update, so
// what the caller knows of it is not needed.
Result<std::string> LmdbQuotaStore::UpdateRecordFrom(const std::string& key, const RecordUpdate& update,
                                                     const StoredRecord* /*known*/) {
  Env* e = env_.get();
  std::string next;
  Status st = e->Run(true, [&](MDB_txn* txn) -> Status {
    StoredRecord stored;
    Status s = GetIn(txn, e->records, key, &stored);
    if (!s.ok()) return s;
    next = update(stored.bytes);
    return PutIn(txn, e->records, key, stored, next);
  });
  if (!st.ok()) return st;
  return next;
}

Result<StoredRecord> LmdbQuotaStore::ReadRecord(const std::string& key) {
  Env* e = env_.get();
  StoredRecord stored;
  Status st = e->Run(false, [&](MDB_txn* txn) { return GetIn(txn, e->records, key, &stored); });
  if (!st.ok()) return st;
  return stored;
}

Status LmdbQuotaStore::WriteRecord(RecordWrite* write) {
  Env* e = env_.get();
  return e->Run(true, [&](MDB_txn* txn) { return WriteIn(txn, e->records, write); });
}

Result<IdentityView> LmdbQuotaStore::ReadIdentity(const std::string& identity, const std::string& record_key) {
  Env* e = env_.get();
  IdentityView view;
  Status st = e->Run(false, [&](MDB_txn* txn) -> Status {
    MDB_val key = Val(identity), data;
    int rc = mdb_get(txn, e->overrides, &key, &data);
    if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError("get override", rc);
    if (rc == 0) view.override_class.emplace(static_cast<const char*>(data.mv_data), data.mv_size);
    return GetIn(txn, e->records, record_key, &view.record);
  });
  if (!st.ok()) return st;
  return view;
}

Result<std::vector<std::string>> LmdbQuotaStore::RecordKeys(const std::string& prefix) {
  Env* e = env_.get();
  std::vector<std::string> keys;
  Status st = e->Run(false, [&](MDB_txn* txn) -> Status {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, e->records, &cursor);
    if (rc != 0) return LmdbError("open cursor", rc);
    MDB_val key = Val(prefix), data;
    for (rc = mdb_cursor_get(cursor, &key, &data, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)) {
      std::string k(static_cast<const char*>(key.mv_data), key.mv_size);
      if (k.compare(0, prefix.size(), prefix) != 0) break;
      keys.push_back(k);
    }
    mdb_cursor_close(cursor);
    return (rc == 0 || rc == MDB_NOTFOUND) ? Status::Ok() : LmdbError("list records", rc);
  });
  if (!st.ok()) return st;
  return keys;
}

}  // namespace quota
}  // namespace sendguard

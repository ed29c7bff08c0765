// redisquota/redis_quota_store.cc — QuotaStore operations as Lua scripts in
// Redis (see quota_scripts.h for the key layout). Replies that do not have
// the expected shape are Internal errors, never guessed at.
#include "redisquota/redis_quota_store.h"

#include <algorithm>
#include <random>
#include <thread>
#include <chrono>
#include <set>

#include "redisquota/quota_scripts.h"

namespace sendguard {
namespace redisquota {

using quota::Amounts;
using quota::WindowLimit;

namespace {

// '%', '{' and '}' would break the hash tag; they become %25, %7B, %7D.
std::string EscapeSubject(const std::string& subject) {
  std::string out;
  for (char c : subject) {
    if (c == '%') {
      out += "%25";
    } else if (c == '{') {
      out += "%7B";
    } else if (c == '}') {
      out += "%7D";
    } else {
      out += c;
    }
  }
  return out;
}

std::string UnescapeSubject(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    std::string code = text.substr(i, 3);
    if (code == "%25" || code == "%7B" || code == "%7D") {
      out += code == "%25" ? '%' : code == "%7B" ? '{' : '}';
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Escapes glob characters for SCAN MATCH.
std::string GlobEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string Num(int64_t v) { return std::to_string(v); }

void AppendSeries(const WindowLimit& w, bool with_limit, std::vector<std::string>* args) {
  args->push_back(Num(static_cast<int>(w.metric)));
  if (with_limit) args->push_back(Num(w.limit));
  args->push_back(Num(w.window_seconds));
  args->push_back(Num(w.resolution_seconds));
}

Result<std::vector<int64_t>> Integers(const RedisReply& reply, size_t expected) {
  if (reply.kind != RedisReply::Kind::kArray || reply.elements.size() != expected) {
    return Status::Internal("redis quota script: unexpected reply shape");
  }
  std::vector<int64_t> out;
  for (const RedisReply& e : reply.elements) {
    if (e.kind != RedisReply::Kind::kInteger) {
      return Status::Internal("redis quota script: non-integer in reply");
    }
    out.push_back(e.integer);
  }
  return out;
}

Status CheckLimits(const std::vector<WindowLimit>& limits) {
  for (const WindowLimit& w : limits) {
    if (w.window_seconds <= 0 || w.resolution_seconds <= 0) {
      return Status::InvalidArgument("quota limit " + w.Describe() +
                                     ": window and resolution must be > 0");
    }
  }
  return Status::Ok();
}

}  // namespace

RedisQuotaStore::RedisQuotaStore(const RedisOptions& options)
    : options_(options),
      pool_(options),
      scripts_{{kReserveScript, ""}, {kCommitScript, ""}, {kReleaseScript, ""},
               {kReadScript, ""}, {kResetScript, ""}, {kRecordWriteScript, ""},
               {kIdentityScript, ""}} {}

RedisQuotaStore::~RedisQuotaStore() = default;

Result<std::unique_ptr<RedisQuotaStore>> RedisQuotaStore::Open(const RedisOptions& options) {
  Status st = options.Validate();
  if (!st.ok()) return st;
  return std::unique_ptr<RedisQuotaStore>(new RedisQuotaStore(options));
}

Status RedisQuotaStore::Ping() {
  Result<RedisReply> reply =
      pool_.RunWithin({"PING"}, options_.connect_timeout_ms + options_.command_timeout_ms);
  if (!reply.ok()) return reply.status();
  if (reply->IsError()) return ErrorReplyStatus("PING", *reply);
  return Status::Ok();
}

std::string RedisQuotaStore::BaseKey(const std::string& subject) const {
  return options_.key_prefix + "{" + EscapeSubject(subject) + "}";
}

std::string RedisQuotaStore::NowArg(int64_t now_seconds) const {
  return options_.use_redis_time ? "0" : Num(std::max<int64_t>(now_seconds, 1));
}

Result<RedisReply> RedisQuotaStore::Command(const std::vector<std::string>& argv) {
  Result<RedisReply> reply = pool_.Run(argv);
  if (reply.ok() && reply->IsError()) return ErrorReplyStatus(argv[0], *reply);
  return reply;
}

int RedisQuotaStore::MillisLeft(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max<int>(1, static_cast<int>(left.count()));
}

Result<std::string> RedisQuotaStore::ScriptSha(ScriptId id,
                                               std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(sha_mu_);
    if (!scripts_[id].sha.empty()) return scripts_[id].sha;
  }
  Result<RedisReply> reply =
      pool_.RunWithin({"SCRIPT", "LOAD", scripts_[id].text}, MillisLeft(deadline));
  if (!reply.ok()) return reply.status();
  if (reply->IsError()) return ErrorReplyStatus("SCRIPT LOAD", *reply);
  if (reply->kind != RedisReply::Kind::kString) {
    return Status::Internal("redis SCRIPT LOAD: unexpected reply");
  }
  std::lock_guard<std::mutex> lock(sha_mu_);
  scripts_[id].sha = reply->text;
  return reply->text;
}

// The script command, followed on the same connection (same round trip)
// by WAIT when the caller asks for replication; WAIT's own bound leaves time
// for its reply within the call's deadline.
Result<std::vector<RedisReply>> RedisQuotaStore::RunScript(
    const std::vector<std::string>& argv, bool wait,
    std::chrono::steady_clock::time_point deadline) {
  std::vector<std::vector<std::string>> commands = {argv};
  int left = MillisLeft(deadline);
  if (wait) {
    int wait_ms = std::max(1, std::min(options_.wait_timeout_ms, left - left / 4));
    commands.push_back({"WAIT", Num(options_.wait_replicas), Num(wait_ms)});
  }
  return pool_.RunPipelineWithin(commands, left);
}

Status RedisQuotaStore::CheckReplicated(const RedisReply& wait_reply) const {
  if (wait_reply.IsError()) return ErrorReplyStatus("WAIT", wait_reply);
  if (wait_reply.kind != RedisReply::Kind::kInteger) {
    return Status::Internal("redis WAIT: unexpected reply");
  }
  if (wait_reply.integer >= options_.wait_replicas) return Status::Ok();
  return Status::Unavailable("redis WAIT: " + Num(wait_reply.integer) + " of " +
                             Num(options_.wait_replicas) + " replicas acknowledged within " +
                             Num(options_.wait_timeout_ms) + " ms");
}

// All round trips of one call share one command timeout: a first call that
// must load the script, or a NOSCRIPT retry, takes no longer than any other.
// With `replicated` and options.wait_replicas > 0, *replicated says whether
// enough replicas acknowledged the script's writes (WAIT).
Result<RedisReply> RedisQuotaStore::Eval(ScriptId id, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& args,
                                         Status* replicated) {
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(options_.command_timeout_ms);
  Result<std::string> sha = ScriptSha(id, deadline);
  if (!sha.ok()) return sha.status();
  std::vector<std::string> argv = {"EVALSHA", *sha, Num(static_cast<int64_t>(keys.size()))};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  bool wait = replicated != nullptr && options_.wait_replicas > 0;
  Result<std::vector<RedisReply>> replies = RunScript(argv, wait, deadline);
  if (replies.ok() && replies->front().IsNoScript()) {  // restart, failover, SCRIPT FLUSH
    argv[0] = "EVAL";
    argv[1] = scripts_[id].text;
    replies = RunScript(argv, wait, deadline);
  }
  if (!replies.ok()) return replies.status();
  const RedisReply& reply = replies->front();
  if (reply.IsError()) return ErrorReplyStatus("quota script", reply);
  if (wait) *replicated = CheckReplicated(replies->back());
  return reply;
}

Result<quota::ReserveOutcome> RedisQuotaStore::Reserve(const quota::ReserveRequest& request) {
  std::vector<std::string> keys, args = {NowArg(request.now_seconds), Num(0)};
  args[1] = std::to_string(request.id);
  args.push_back(Num(request.deadline_seconds - request.now_seconds));
  for (quota::Metric m : {quota::Metric::kMessages, quota::Metric::kRecipients,
                          quota::Metric::kBytes}) {
    args.push_back(Num(request.delta.Of(m)));
  }
  for (const quota::SubjectLimits& s : request.subjects) {
    Status st = CheckLimits(s.limits);
    if (!st.ok()) return st;
    keys.push_back(BaseKey(s.subject));
    args.push_back(Num(static_cast<int64_t>(s.limits.size())));
    for (const WindowLimit& w : s.limits) AppendSeries(w, true, &args);
  }
  if (keys.empty()) return quota::ReserveOutcome();
  Status replicated;
  Result<RedisReply> reply = Eval(kReserve, keys, args, &replicated);
  if (!reply.ok()) return reply.status();
  Result<std::vector<int64_t>> v = Integers(*reply, 6);
  if (!v.ok()) return v.status();
  quota::ReserveOutcome outcome;
  if ((*v)[0] == 1) {  // accepted: must be replicated (a refusal counts nothing)
    if (!replicated.ok()) return replicated;
    return outcome;
  }
  size_t s = static_cast<size_t>((*v)[1] - 1), l = static_cast<size_t>((*v)[2] - 1);
  if (s >= request.subjects.size() || l >= request.subjects[s].limits.size()) {
    return Status::Internal("redis quota script: limit index out of range");
  }
  outcome.accepted = false;
  outcome.subject = request.subjects[s].subject;
  outcome.limit = request.subjects[s].limits[l];
  outcome.used = (*v)[3];
  outcome.retry_after_seconds = (*v)[4];
  return outcome;
}

namespace {

// The record write's part of a script reply: {1, ""} or {0, current value}.
Status TakeRecordReply(const RedisReply& reply, quota::RecordWrite* write) {
  if (reply.kind != RedisReply::Kind::kArray || reply.elements.size() != 2) {
    return Status::Internal("record script: unexpected reply");
  }
  write->done = true;
  write->written = reply.elements[0].integer == 1;
  write->current = write->written ? quota::StoredRecord() : quota::ParseVersionedValue(reply.elements[1].text);
  return Status::Ok();
}

}  // namespace

// The record flag and, with a write, its arguments (the caller appends the
// records hash to the keys once the subjects' are in).
void RedisQuotaStore::AppendRecordWrite(const quota::RecordWrite* write, std::vector<std::string>* args) {
  args->push_back(write ? "1" : "0");
  if (!write) return;
  args->insert(args->end(), {write->key, std::to_string(write->expected), write->bytes});
}

Status RedisQuotaStore::Commit(const quota::CommitRequest& request) {
  std::vector<std::string> keys, args = {NowArg(request.now_seconds), std::to_string(request.id)};
  for (quota::Metric m : {quota::Metric::kMessages, quota::Metric::kRecipients,
                          quota::Metric::kBytes}) {
    args.push_back(Num(request.amounts.Of(m)));
  }
  AppendRecordWrite(request.record, &args);
  for (const quota::SubjectLimits& s : request.subjects) {
    Status st = CheckLimits(s.limits);
    if (!st.ok()) return st;
    std::vector<WindowLimit> series = SeriesToCount(s.limits);
    keys.push_back(BaseKey(s.subject));
    args.push_back(Num(static_cast<int64_t>(series.size())));
    for (const WindowLimit& w : series) AppendSeries(w, false, &args);
  }
  if (keys.empty()) return request.record ? WriteRecord(request.record) : Status::Ok();
  if (request.record) keys.push_back(options_.key_prefix + "records");
  Status replicated;
  Result<RedisReply> reply = Eval(kCommit, keys, args, &replicated);
  if (!reply.ok()) return reply.status();
  if (request.record) {
    Status taken = TakeRecordReply(*reply, request.record);
    if (!taken.ok()) return taken;
  }
  return replicated;
}

Status RedisQuotaStore::Release(uint64_t id, const std::vector<std::string>& subjects,
                                quota::RecordWrite* record) {
  if (subjects.empty()) return record ? WriteRecord(record) : Status::Ok();
  std::vector<std::string> keys, args = {std::to_string(id)};
  for (const std::string& s : subjects) keys.push_back(BaseKey(s));
  AppendRecordWrite(record, &args);
  if (record) keys.push_back(options_.key_prefix + "records");
  Result<RedisReply> reply = Eval(kRelease, keys, args);
  if (!reply.ok()) return reply.status();
  return record ? TakeRecordReply(*reply, record) : Status::Ok();
}

Result<std::vector<int64_t>> RedisQuotaStore::ReadCounts(
    const std::vector<std::string>& bases, const std::vector<WindowLimit>& limits,
    int64_t now_seconds) {
  Status st = CheckLimits(limits);
  if (!st.ok()) return st;
  std::vector<std::string> args = {NowArg(now_seconds),
                                   Num(static_cast<int64_t>(limits.size()))};
  for (const WindowLimit& w : limits) AppendSeries(w, true, &args);
  Result<RedisReply> reply = Eval(kRead, bases, args);
  if (!reply.ok()) return reply.status();
  return Integers(*reply, bases.size() * limits.size() * 3 + 1);
}

Result<std::vector<quota::LimitUsage>> RedisQuotaStore::Read(const quota::SubjectLimits& subject,
                                                             int64_t now_seconds) {
  Result<std::vector<int64_t>> v = ReadCounts({BaseKey(subject.subject)}, subject.limits,
                                              now_seconds);
  if (!v.ok()) return v.status();
  std::vector<quota::LimitUsage> usage;
  for (size_t i = 0; i < subject.limits.size(); ++i) {
    quota::LimitUsage u;
    u.limit = subject.limits[i];
    u.committed = (*v)[3 * i];
    u.pending = (*v)[3 * i + 1];
    u.frees_at_seconds = (*v)[3 * i + 2];
    usage.push_back(u);
  }
  return usage;
}

Status RedisQuotaStore::Reset(const std::string& subject) {
  Result<RedisReply> reply = Eval(kReset, {BaseKey(subject)}, {});
  return reply.ok() ? Status::Ok() : reply.status();
}

Status RedisQuotaStore::ScanSubjects(std::vector<std::string>* subjects) {
  std::string pattern = GlobEscape(options_.key_prefix) + "{*}:i";
  size_t head = options_.key_prefix.size() + 1, tail = 3;  // "{" and "}:i"
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    Result<RedisReply> reply = Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!reply.ok()) return reply.status();
    if (reply->kind != RedisReply::Kind::kArray || reply->elements.size() != 2 ||
        reply->elements[1].kind != RedisReply::Kind::kArray) {
      return Status::Internal("redis SCAN: unexpected reply");
    }
    cursor = reply->elements[0].text;
    for (const RedisReply& key : reply->elements[1].elements) {
      if (key.text.size() < head + tail) continue;
      std::string subject = UnescapeSubject(key.text.substr(head, key.text.size() - head - tail));
      if (seen.insert(subject).second) subjects->push_back(subject);
    }
  } while (cursor != "0");
  return Status::Ok();
}

Result<std::vector<quota::TopEntry>> RedisQuotaStore::Top(size_t n, int64_t now_seconds) {
  std::vector<std::string> subjects;
  Status st = ScanSubjects(&subjects);
  if (!st.ok()) return st;
  std::vector<WindowLimit> stats = quota::StatisticsSeries();
  std::vector<quota::TopEntry> all;
  const size_t kBatch = 100;
  for (size_t begin = 0; begin < subjects.size(); begin += kBatch) {
    size_t end = std::min(subjects.size(), begin + kBatch);
    std::vector<std::string> bases;
    for (size_t i = begin; i < end; ++i) bases.push_back(BaseKey(subjects[i]));
    Result<std::vector<int64_t>> v = ReadCounts(bases, stats, now_seconds);
    if (!v.ok()) return v.status();
    for (size_t i = begin; i < end; ++i) {
      const int64_t* row = &(*v)[(i - begin) * 9];
      quota::TopEntry t;
      t.subject = subjects[i];
      t.last_hour = Amounts{row[0], row[3], row[6]};
      if (!t.last_hour.IsZero()) all.push_back(std::move(t));
    }
  }
  quota::KeepHeaviest(n, &all);
  return all;
}

Result<size_t> RedisQuotaStore::CollectGarbage(int64_t) {
  return size_t{0};  // TTLs and in-script pruning keep Redis bounded
}

Result<std::optional<std::string>> RedisQuotaStore::GetOverride(const std::string& identity) {
  Result<RedisReply> reply = Command({"HGET", options_.key_prefix + "overrides", identity});
  if (!reply.ok()) return reply.status();
  if (reply->kind == RedisReply::Kind::kNil) return std::optional<std::string>();
  if (reply->kind != RedisReply::Kind::kString) {
    return Status::Internal("redis HGET overrides: unexpected reply");
  }
  return std::optional<std::string>(reply->text);
}

Status RedisQuotaStore::SetOverride(const std::string& identity, const std::string& class_name) {
  Result<RedisReply> reply =
      Command({"HSET", options_.key_prefix + "overrides", identity, class_name});
  return reply.ok() ? Status::Ok() : reply.status();
}

Status RedisQuotaStore::ClearOverride(const std::string& identity) {
  Result<RedisReply> reply = Command({"HDEL", options_.key_prefix + "overrides", identity});
  return reply.ok() ? Status::Ok() : reply.status();
}

Result<quota::StoredRecord> RedisQuotaStore::ReadRecord(const std::string& key) {
  Result<RedisReply> reply = Command({"HGET", options_.key_prefix + "records", key});
  if (!reply.ok()) return reply.status();
  if (reply->kind == RedisReply::Kind::kNil) return quota::StoredRecord();
  if (reply->kind != RedisReply::Kind::kString) return Status::Internal("redis HGET records: unexpected reply");
  return quota::ParseVersionedValue(reply->text);
}

Status RedisQuotaStore::WriteRecord(quota::RecordWrite* write) {
  Result<RedisReply> reply = Eval(kRecordWrite, {options_.key_prefix + "records"},
                                  {write->key, std::to_string(write->expected), write->bytes});
  if (!reply.ok()) return reply.status();
  return TakeRecordReply(*reply, write);
}

Result<quota::IdentityView> RedisQuotaStore::ReadIdentity(const std::string& identity,
                                                          const std::string& record_key) {
  Result<RedisReply> reply = Eval(kIdentity, {options_.key_prefix + "overrides", options_.key_prefix + "records"},
                                  {identity, record_key});
  if (!reply.ok()) return reply.status();
  if (reply->kind != RedisReply::Kind::kArray) return Status::Internal("identity script: unexpected reply");
  quota::IdentityView view;
  // A missing hash field is false in Lua, a nil element here.
  const std::vector<RedisReply>& e = reply->elements;
  if (!e.empty() && e[0].kind == RedisReply::Kind::kString) view.override_class = e[0].text;
  if (e.size() > 1 && e[1].kind == RedisReply::Kind::kString) view.record = quota::ParseVersionedValue(e[1].text);
  return view;
}

Result<std::string> RedisQuotaStore::UpdateRecordFrom(const std::string& key, const quota::RecordUpdate& update,
                                                      const quota::StoredRecord* known) {
  Result<quota::StoredRecord> stored = known ? Result<quota::StoredRecord>(*known) : ReadRecord(key);
  std::minstd_rand jitter(static_cast<unsigned>(std::hash<std::thread::id>()(std::this_thread::get_id())));
  for (int attempt = 0; stored.ok() && attempt < 32; ++attempt) {
    if (attempt > 0) {  // lost a race: step back a little, differently from the others
      std::this_thread::sleep_for(std::chrono::microseconds(jitter() % (200u << std::min(attempt, 5))));
    }
    quota::RecordWrite write{key, stored->version, update(stored->bytes)};
    Status st = WriteRecord(&write);
    if (!st.ok()) return st;
    if (write.written) return write.bytes;
    stored = write.current;  // changed meanwhile: again from what is there now
  }
  if (!stored.ok()) return stored.status();
  return Status::Unavailable("record " + key + " kept changing under concurrent updates");
}

Result<std::vector<std::string>> RedisQuotaStore::RecordKeys(const std::string& prefix) {
  Result<RedisReply> reply = Command({"HKEYS", options_.key_prefix + "records"});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> keys;
  for (const RedisReply& k : reply->elements) {
    if (k.text.compare(0, prefix.size(), prefix) == 0) keys.push_back(k.text);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace redisquota
}  // namespace sendguard

// quota/lmdb_quota_store.h — the embedded quota store: one LMDB environment
// in a directory, shared by every daemon process and the CLI.
//
// Why LMDB (not SQLite): every operation is a tiny read-modify-write of one
// record per subject; LMDB does that in a couple of microseconds with a
// single cross-process writer lock (robust mutex: a writer killed with -9
// does not wedge the others), copy-on-write pages (a kill -9 never leaves a
// torn record), readers that never block, and no SQL layer to go through.
//
// Contract: see quota_store.h. Each call is one LMDB transaction. Records of
// subjects whose windows and reservations have all expired are deleted when
// touched and by CollectGarbage(), so the file stays bounded by the number of
// subjects active within the longest window. Errors come back as Status
// (Unavailable when the map is full, IoError/Internal otherwise).
// Thread-safety: safe for any number of threads and processes. Do not carry
// an open store across fork(); open it again in the child.
#ifndef SENDGUARD_QUOTA_LMDB_QUOTA_STORE_H_
#define SENDGUARD_QUOTA_LMDB_QUOTA_STORE_H_

#include <memory>
#include <string>

#include "quota/quota_options.h"
#include "quota/quota_store.h"

namespace sendguard {
namespace quota {

struct LmdbStoreOptions {
  int64_t map_size_bytes = 256LL << 20;  // LMDB map size (sparse file ceiling)
  bool sync_writes = false;              // fsync each commit (see QuotaOptions)

  static LmdbStoreOptions From(const QuotaOptions& options);
};

class LmdbQuotaStore final : public QuotaStore {
 public:
  // Opens (creating `dir` and the database if missing).
  static Result<std::unique_ptr<LmdbQuotaStore>> Open(const std::string& dir,
                                                      const LmdbStoreOptions& options);
  ~LmdbQuotaStore() override;
  LmdbQuotaStore(const LmdbQuotaStore&) = delete;
  LmdbQuotaStore& operator=(const LmdbQuotaStore&) = delete;

  Result<ReserveOutcome> Reserve(const ReserveRequest& request) override;
  Status Commit(const CommitRequest& request) override;
  Status Release(uint64_t id, const std::vector<std::string>& subjects, RecordWrite* record) override;
  Result<std::vector<LimitUsage>> Read(const SubjectLimits& subject,
                                       int64_t now_seconds) override;
  Status Reset(const std::string& subject) override;
  Result<std::vector<TopEntry>> Top(size_t n, int64_t now_seconds) override;
  Result<size_t> CollectGarbage(int64_t now_seconds) override;
  Result<std::optional<std::string>> GetOverride(const std::string& identity) override;
  Status SetOverride(const std::string& identity, const std::string& class_name) override;
  Status ClearOverride(const std::string& identity) override;
  Result<std::string> UpdateRecordFrom(const std::string& key, const RecordUpdate& update,
                                       const StoredRecord* known) override;
  Result<StoredRecord> ReadRecord(const std::string& key) override;
  Status WriteRecord(RecordWrite* write) override;
  Result<IdentityView> ReadIdentity(const std::string& identity, const std::string& record_key) override;
  Result<std::vector<std::string>> RecordKeys(const std::string& prefix) override;

 private:
  struct Env;
  explicit LmdbQuotaStore(std::unique_ptr<Env> env);
  std::unique_ptr<Env> env_;
};

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_LMDB_QUOTA_STORE_H_

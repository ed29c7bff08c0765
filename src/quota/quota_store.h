// quota/quota_store.h — the interface every quota backend implements
// (embedded LMDB, or Redis shared by several relays): atomic reserve / commit / release of
// counts per subject, reads for the CLI, resets and per-user class overrides.
//
// Contract:
// - Reserve() checks every limit of every subject and, only if all fit, adds
//   the delta to reservation `id` on all of them — atomically with respect to
//   every other process and thread using the same store. Over a limit is not
//   an error: it is a ReserveOutcome with accepted == false.
// - Pending amounts count against limits until Commit/Release or their
//   deadline, so a killed daemon cannot leak quota for longer than the TTL.
// - Commit() turns a reservation into committed counts at `now` (it counts
//   `amounts` even if the pending entry is gone, e.g. after a reset).
// - Any non-ok Status is a store error (Unavailable / IoError / Internal);
//   the caller decides fail-open or fail-closed.
// Subjects are opaque strings ("u:alice@example.org", "d:example.org").
// Thread-safety: implementations are safe for concurrent use by many threads.
#ifndef SENDGUARD_QUOTA_QUOTA_STORE_H_
#define SENDGUARD_QUOTA_QUOTA_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "quota/limits.h"

namespace sendguard {
namespace quota {

struct SubjectLimits {
  std::string subject;
  std::vector<WindowLimit> limits;  // windowed limits that apply to it
};

struct ReserveRequest {
  uint64_t id = 0;                // reservation (one message in flight)
  std::vector<SubjectLimits> subjects;
  Amounts delta;                  // added to the reservation if all limits fit
  int64_t now_seconds = 0;
  int64_t deadline_seconds = 0;   // the reservation stops counting then
};

struct ReserveOutcome {
  bool accepted = true;
  // When !accepted: the first limit that did not fit.
  std::string subject;
  WindowLimit limit;
  int64_t used = 0;                 // committed + pending before this delta
  int64_t retry_after_seconds = 0;  // unix time when the delta would fit
};

// A record (opaque bytes per key, e.g. an identity's abuse state) as
// stored, with the version a conditional write compares; version 0: there is
// none (bytes empty).
struct StoredRecord {
  std::string bytes;
  uint64_t version = 0;
};

// A conditional write of one record: `bytes` ("" deletes) replace it only if
// its version is still `expected`. The store fills in the outcome: done (it
// tried), written, and — tried but not written — the record found instead.
struct RecordWrite {
  std::string key;
  uint64_t expected = 0;
  std::string bytes;
  bool done = false;
  bool written = false;
  StoredRecord current{};
};

struct CommitRequest {
  uint64_t id = 0;
  std::vector<SubjectLimits> subjects;  // series to count into
  Amounts amounts;                      // what the accepted message used
  int64_t now_seconds = 0;
  // Optional: written in the same atomic step (and, for Redis, the same
  // round trip) as the commit. Null: none.
  RecordWrite* record = nullptr;
};

// What a message needs to know of its sender at the start, read in one step
// (one Redis round trip): the class override and the identity's record.
struct IdentityView {
  std::optional<std::string> override_class;
  StoredRecord record;
};

// Usage of one windowed limit of one subject.
struct LimitUsage {
  WindowLimit limit;
  int64_t committed = 0;
  int64_t pending = 0;
  int64_t frees_at_seconds = 0;  // when one more unit would fit (0: it fits now)
};

// Computes a record's new bytes from its stored ones ("" = none); returning
// "" deletes it. May run more than once for one update (the Redis store
// retries when another relay changed the record meanwhile): no side effects
// but the result.
using RecordUpdate = std::function<std::string(const std::string& stored)>;

struct TopEntry {
  std::string subject;
  Amounts last_hour;  // committed in the last hour
};

class QuotaStore {
 public:
  virtual ~QuotaStore() = default;

  virtual Result<ReserveOutcome> Reserve(const ReserveRequest& request) = 0;
  virtual Status Commit(const CommitRequest& request) = 0;
  // `record`, when not null, is written as with CommitRequest::record.
  virtual Status Release(uint64_t id, const std::vector<std::string>& subjects, RecordWrite* record) = 0;

  virtual Result<std::vector<LimitUsage>> Read(const SubjectLimits& subject,
                                               int64_t now_seconds) = 0;
  // Forgets all counts and pending reservations of `subject`.
  virtual Status Reset(const std::string& subject) = 0;
  // Heaviest subjects by messages committed in the last hour.
  virtual Result<std::vector<TopEntry>> Top(size_t n, int64_t now_seconds) = 0;
  // Deletes records that no longer count anything; returns how many.
  virtual Result<size_t> CollectGarbage(int64_t now_seconds) = 0;

  // Per-identity class overrides (set from the CLI). NotFound-free: an absent
  // override is an empty optional.
  virtual Result<std::optional<std::string>> GetOverride(const std::string& identity) = 0;
  virtual Status SetOverride(const std::string& identity, const std::string& class_name) = 0;
  virtual Status ClearOverride(const std::string& identity) = 0;

  // Opaque records per key (the abuse state of an identity, abuse/
  // signals.h), changed atomically with respect to every process and relay
  // using the store. UpdateRecord returns the bytes it stored, starting from
  // `known` when the caller has read the record already (null: it reads it
  // first); GetRecord "" when there is none; ReadRecord with its version;
  // WriteRecord one conditional write; RecordKeys every key starting with
  // `prefix`.
  Result<std::string> UpdateRecord(const std::string& key, const RecordUpdate& update) {
    return UpdateRecordFrom(key, update, nullptr);
  }
  virtual Result<std::string> UpdateRecordFrom(const std::string& key, const RecordUpdate& update,
                                               const StoredRecord* known) = 0;
  Result<std::string> GetRecord(const std::string& key);
  virtual Result<StoredRecord> ReadRecord(const std::string& key) = 0;
  virtual Status WriteRecord(RecordWrite* write) = 0;
  virtual Result<std::vector<std::string>> RecordKeys(const std::string& prefix) = 0;
  virtual Result<IdentityView> ReadIdentity(const std::string& identity, const std::string& record_key) = 0;
};

// How a record is kept where the store has only bytes: "VERSION\n" then the
// record (a value without that first line is version 0, as written before
// versions existed). Every store uses these, so they agree.
std::string VersionedValue(uint64_t version, const std::string& bytes);
StoredRecord ParseVersionedValue(const std::string& value);

// The series every commit also counts into, for Top() and the CLI.
std::vector<WindowLimit> StatisticsSeries();

// What a commit counts into: `limits` plus the statistics series, each
// series once. Every store implementation uses it, so they count alike.
std::vector<WindowLimit> SeriesToCount(const std::vector<WindowLimit>& limits);

// Top()'s order, the same in every store: most messages in the last hour,
// then most recipients, then subject; the first `n` entries are kept.
void KeepHeaviest(size_t n, std::vector<TopEntry>* entries);

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_QUOTA_STORE_H_

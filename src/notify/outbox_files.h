// notify/outbox_files.h — the on-disk layout of a webhook outbox (internal to
// notify; callers use outbox.h).
//
// Contract: an outbox directory holds one file per pending alert, named
// "<id>.<attempts>.<next_try_ms>.alert" (next_try_ms: wall-clock
// milliseconds since the epoch before which no new attempt is made; 0 = at
// once), whose content is exactly the JSON body to POST. Its retry state
// lives in the name, so moving an alert to its next state is one rename(2)
// and a crash leaves either the old or the new name, never a half state.
// Files are written as ".tmp.<id>.XXXXXX", fsync'ed, renamed into place and
// the directory fsync'ed; names starting with '.' are never alerts.
// failed/ holds alerts refused for good; "refused.count" grows by one byte
// per alert refused because the outbox was full.
// Thread-safety: stateless functions over the file system; safe from any
// thread or process (rename and O_APPEND are atomic).
#ifndef SENDGUARD_NOTIFY_OUTBOX_FILES_H_
#define SENDGUARD_NOTIFY_OUTBOX_FILES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard::notify {

struct OutboxEntry {
  std::string id;
  int attempts = 0;
  int64_t next_try_ms = 0;
  std::string file_name;  // inside the outbox directory
};

inline constexpr const char* kFailedSubdir = "failed";
inline constexpr const char* kRefusedCountFile = "refused.count";

// 1 to 128 characters of [A-Za-z0-9_-]: safe in a file name and a header.
bool IsValidAlertId(const std::string& id);

std::string EntryFileName(const std::string& id, int attempts, int64_t next_try_ms);
std::optional<OutboxEntry> ParseEntryFileName(const std::string& name);

// The alerts in `dir` (not in failed/), in no particular order.
Result<std::vector<OutboxEntry>> ListEntries(const std::string& dir);

// mkdir -p with mode 0700 for what it creates.
Status EnsureDirectory(const std::string& dir);

// Writes dir/name atomically and durably (tmp file, fsync, rename, fsync dir).
Status WriteFileDurably(const std::string& dir, const std::string& name,
                        const std::string& content);

// rename(from_dir/from, to_dir/to), then fsync of both directories.
Status MoveFileDurably(const std::string& from_dir, const std::string& from,
                       const std::string& to_dir, const std::string& to);

Result<std::string> ReadWholeFile(const std::string& path);

// Appends one byte to dir/refused.count; its size is the refusal count.
void RecordRefusal(const std::string& dir);
uint64_t ReadRefusalCount(const std::string& dir);
void ResetRefusalCount(const std::string& dir);

// Removes ".tmp.*" files older than max_age_s (left by a crash mid-write).
void RemoveStaleTempFiles(const std::string& dir, int64_t max_age_s);

}  // namespace sendguard::notify

#endif  // SENDGUARD_NOTIFY_OUTBOX_FILES_H_

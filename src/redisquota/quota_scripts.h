// redisquota/quota_scripts.h — the Lua scripts that run the quota logic
// inside Redis, one script per store operation, so that every operation is
// one atomic round trip.
//
// Key layout (P = key prefix, S = subject with '%', '{', '}' escaped as %XX;
// "P{S}" is the subject's base key, passed as KEYS[i]):
//   P{S}:p             hash  reservation id -> "deadline messages recipients bytes",
//                            and the running totals '#m', '#r', '#b' of them all
//   P{S}:d             zset  reservation id scored by deadline: expired ones are
//                            found in O(log n), so a decision costs O(log n) in
//                            the number of messages in flight, not O(n)
//   P{S}:w:M:W:R       hash  bucket index (time / R) -> committed count of
//                            metric M (0 messages, 1 recipients, 2 bytes) in
//                            the series with window W and resolution R seconds
//   P{S}:i             set   "M:W:R" of every series of S (for reset and top)
//   Poverrides         hash  identity -> class name (no TTL)
//   Precords           hash  record key -> "VERSION\n" + bytes (no TTL; see
//                            quota::VersionedValue), e.g. abuse state
// Every key of a subject shares the hash tag {S}. Keys get TTLs (pending:
// longest deadline; series and index: expiry of the newest bucket), and
// buckets / reservations that stopped counting are deleted whenever a script
// reads them, so Redis memory is bounded by the subjects active within the
// longest window — no garbage collector is needed.
//
// Window arithmetic is the one of quota/subject_record.cc (see quota/limits.h)
// transcribed to Lua. Time: ARGV[1] is the caller's unix time, or "0" to use
// Redis's TIME (allowed in scripts on Redis >= 5 with effects replication,
// the default since Redis 5; Debian 12 ships 7.0).
// Thread-safety: constant data.
#ifndef SENDGUARD_REDISQUOTA_QUOTA_SCRIPTS_H_
#define SENDGUARD_REDISQUOTA_QUOTA_SCRIPTS_H_

namespace sendguard {
namespace redisquota {

// KEYS: base keys. ARGV: now, id, ttl_seconds, delta m r b, then per subject
// a limit count k and k x (metric, limit, window, resolution).
// Returns {1, 0, 0, 0, 0, now} or {0, subject#, limit#, used, retry_after, now}.
extern const char* const kReserveScript;

// A record write folded into a commit or release (the record of the message's
// sender, so its signals cost no round trip of their own): a flag "1", then
// field, expected version, new bytes; the records hash is the last KEY. With
// it, the script returns the record write's reply (see kRecordWriteScript).
// (The records hash has no subject's hash tag: sendguard uses one Redis
// master, never a cluster.)

// KEYS: base keys [, records hash]. ARGV: now, id, amounts m r b, record
// flag "0"/"1" [, field, expected, bytes], then per subject a series count k
// and k x (metric, window, resolution). Returns now (or the record reply).
extern const char* const kCommitScript;

// KEYS: base keys [, records hash]. ARGV: id, record flag [, field,
// expected, bytes]. Returns the number of reservations removed (or the
// record reply).
extern const char* const kReleaseScript;

// KEYS: base keys. ARGV: now, k, k x (metric, limit, window, resolution).
// Returns, per key and limit, committed, pending, frees_at; then now.
// Read-only (deletes nothing), like a read transaction of the LMDB store.
extern const char* const kReadScript;

// KEYS: one base key. Deletes every key of the subject. Returns keys deleted.
extern const char* const kResetScript;

// KEYS: the records hash. ARGV: field, expected version (0 = absent), new
// bytes ("" = delete). A conditional write: returns {1, ""} when it stored
// (as the next version), or {0, current value} when the record's version was
// not the expected one.
extern const char* const kRecordWriteScript;

// KEYS: the overrides hash, the records hash. ARGV: identity, record key.
// Returns {override or nil, record value or nil}.
extern const char* const kIdentityScript;

}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_REDISQUOTA_QUOTA_SCRIPTS_H_

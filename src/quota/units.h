// quota/units.h — parsing and printing of the quantities mail admins write in
// policies/quota.conf: durations ("90s", "15m", "1h", "1d", "1w") and sizes
// ("512", "64KB", "50MB", "2GB"; K/M/G are powers of 1024, B is optional).
//
// Contract: parsers accept only a non-negative integer followed by an
// optional unit, never throw, and reject overflow. Formatters produce the
// shortest exact form the parsers read back.
// Thread-safety: pure functions.
#ifndef SENDGUARD_QUOTA_UNITS_H_
#define SENDGUARD_QUOTA_UNITS_H_

#include <cstdint>
#include <string>

namespace sendguard {
namespace quota {

// Seconds in "30s", "15m", "1h", "1d", "1w". A bare number is seconds.
bool ParseDuration(const std::string& text, int64_t* seconds);
// Bytes in "512", "512B", "64KB", "64K", "50MB", "2GB" (also KiB/MiB/GiB).
bool ParseSize(const std::string& text, int64_t* bytes);
// Plain non-negative integer; false for "-1", "1x", overflow.
bool ParseCount(const std::string& text, int64_t* value);

std::string FormatDuration(int64_t seconds);  // 3600 -> "1h", 90 -> "90s"
std::string FormatSize(int64_t bytes);        // 52428800 -> "50MB"

// "14:05 UTC" when `unix_seconds` is within a day of `now_seconds`, else
// "2026-11-24 14:05 UTC". The minute is rounded up so the time is never early.
std::string FormatRetryTime(int64_t unix_seconds, int64_t now_seconds);

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_UNITS_H_

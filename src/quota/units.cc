// quota/units.cc — durations and sizes for the quota policy file.
// Fails by returning false; the caller names file:line.
#include "quota/units.h"

#include <cctype>
#include <ctime>
#include <limits>

namespace sendguard {
namespace quota {

namespace {

// Splits "50MB" into 50 and "MB" (digits first, then letters only).
bool SplitNumber(const std::string& text, int64_t* number, std::string* unit) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    int digit = text[i] - '0';
    if (n > (std::numeric_limits<int64_t>::max() - digit) / 10) return false;
    n = n * 10 + digit;
    ++i;
  }
  if (i == 0) return false;
  *number = n;
  unit->clear();
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
    unit->push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return true;
}

bool Multiply(int64_t n, int64_t factor, int64_t* out) {
  if (n > std::numeric_limits<int64_t>::max() / factor) return false;
  *out = n * factor;
  return true;
}

}  // namespace

bool ParseCount(const std::string& text, int64_t* value) {
  std::string unit;
  return SplitNumber(text, value, &unit) && unit.empty();
}

bool ParseDuration(const std::string& text, int64_t* seconds) {
  int64_t n;
  std::string unit;
  if (!SplitNumber(text, &n, &unit)) return false;
  if (unit.empty() || unit == "S") return Multiply(n, 1, seconds);
  if (unit == "M") return Multiply(n, 60, seconds);
  if (unit == "H") return Multiply(n, 3600, seconds);
  if (unit == "D") return Multiply(n, 86400, seconds);
  if (unit == "W") return Multiply(n, 7 * 86400, seconds);
  return false;
}

bool ParseSize(const std::string& text, int64_t* bytes) {
  int64_t n;
  std::string unit;
  if (!SplitNumber(text, &n, &unit)) return false;
  if (unit.empty() || unit == "B") return Multiply(n, 1, bytes);
  if (unit == "K" || unit == "KB" || unit == "KIB") return Multiply(n, 1LL << 10, bytes);
  if (unit == "M" || unit == "MB" || unit == "MIB") return Multiply(n, 1LL << 20, bytes);
  if (unit == "G" || unit == "GB" || unit == "GIB") return Multiply(n, 1LL << 30, bytes);
  return false;
}

std::string FormatDuration(int64_t seconds) {
  static const struct { int64_t size; const char* name; } kUnits[] = {
      {7 * 86400, "w"}, {86400, "d"}, {3600, "h"}, {60, "m"}};
  for (const auto& u : kUnits) {
    if (seconds > 0 && seconds % u.size == 0) {
      return std::to_string(seconds / u.size) + u.name;
    }
  }
  return std::to_string(seconds) + "s";
}

std::string FormatSize(int64_t bytes) {
  static const struct { int64_t size; const char* name; } kUnits[] = {
      {1LL << 30, "GB"}, {1LL << 20, "MB"}, {1LL << 10, "KB"}};
  for (const auto& u : kUnits) {
    if (bytes > 0 && bytes % u.size == 0) {
      return std::to_string(bytes / u.size) + u.name;
    }
  }
  return std::to_string(bytes) + "B";
}

std::string FormatRetryTime(int64_t unix_seconds, int64_t now_seconds) {
  time_t rounded = static_cast<time_t>((unix_seconds + 59) / 60 * 60);
  struct tm tm_utc;
  gmtime_r(&rounded, &tm_utc);
  char buf[64];
  const char* format =
      (unix_seconds - now_seconds < 86400) ? "%H:%M UTC" : "%Y-%m-%d %H:%M UTC";
  strftime(buf, sizeof buf, format, &tm_utc);
  return buf;
}

}  // namespace quota
}  // namespace sendguard

// core/log.h — the logging facade: one line per event, to syslog (facility
// mail) or to stderr.
//
// Contract: Log() never throws and never blocks on anything but the write of
// one line. Until ConfigureLogging() is called, lines go to stderr at Info.
// Thread-safety: all functions may be called from any thread; configuration is
// meant to happen once at startup (later calls are safe but racy in ordering).
#ifndef SENDGUARD_CORE_LOG_H_
#define SENDGUARD_CORE_LOG_H_

#include <sstream>
#include <string>

namespace sendguard {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

struct LogOptions {
  bool to_syslog = false;         // false: stderr
  std::string ident = "sendguard";
  LogLevel min_level = LogLevel::kInfo;
};

void ConfigureLogging(const LogOptions& options);
bool LogEnabled(LogLevel level);
void Log(LogLevel level, const std::string& line);

// Parses "debug" / "info" / "warning" / "error".
bool ParseLogLevel(const std::string& name, LogLevel* out);
// Inverse of ParseLogLevel.
const char* LogLevelName(LogLevel level);

// Stream-style helper: LOG(kInfo) << "x=" << x;
class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  ~LogLine() { Log(level_, out_.str()); }
  template <typename T>
  LogLine& operator<<(const T& v) { out_ << v; return *this; }

 private:
  LogLevel level_;
  std::ostringstream out_;
};

}  // namespace sendguard

// A for-statement rather than if/else, so `if (x) SG_LOG(kInfo) << y;` has no
// dangling else.
#define SG_LOG(level)                                                          \
  for (bool sg_log_once_ = ::sendguard::LogEnabled(::sendguard::LogLevel::level); \
       sg_log_once_; sg_log_once_ = false)                                     \
  ::sendguard::LogLine(::sendguard::LogLevel::level)

#endif  // SENDGUARD_CORE_LOG_H_

// core/log.cc — syslog / stderr sinks for the logging facade.
#include "core/log.h"

#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

namespace sendguard {

namespace {
std::mutex g_mu;
LogOptions g_options;
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<bool> g_syslog{false};

int SyslogPriority(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return LOG_DEBUG;
    case LogLevel::kInfo: return LOG_INFO;
    case LogLevel::kWarning: return LOG_WARNING;
    case LogLevel::kError: return LOG_ERR;
  }
  return LOG_INFO;
}
}  // namespace

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

void ConfigureLogging(const LogOptions& options) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_options = options;
  g_min_level.store(static_cast<int>(options.min_level));
  if (options.to_syslog) openlog(g_options.ident.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
  g_syslog.store(options.to_syslog);
}

bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= g_min_level.load(); }

void Log(LogLevel level, const std::string& line) {
  if (!LogEnabled(level)) return;
  if (g_syslog.load()) {
    syslog(SyslogPriority(level), "%s", line.c_str());
    return;
  }
  std::string out = "sendguard[" + std::to_string(getpid()) + "]: " + LogLevelName(level) + ": " + line + "\n";
  std::lock_guard<std::mutex> lock(g_mu);
  fwrite(out.data(), 1, out.size(), stderr);
  fflush(stderr);
}

bool ParseLogLevel(const std::string& name, LogLevel* out) {
  if (name == "debug") { *out = LogLevel::kDebug; return true; }
  if (name == "info") { *out = LogLevel::kInfo; return true; }
  if (name == "warning") { *out = LogLevel::kWarning; return true; }
  if (name == "error") { *out = LogLevel::kError; return true; }
  return false;
}

}  // namespace sendguard

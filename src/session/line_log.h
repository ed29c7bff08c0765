// session/line_log.h — an append-only file of lines, one JSON object each:
// the decision log ([log] decision_log, one line per decided message) and
// the audit log ([log] audit_log, one line per abuse action).
//
// Contract: the privileged parent opens the file (OpenLogFile: append,
// created 0640, so it may live in a directory only root can write).
// Workers inherit the decision log's descriptor; `sendguard reopen-logs` and
// a reload make the parent open the path again (after logrotate moved it)
// and hand the new descriptor to each worker, which swaps it in (Replace).
// Each line is one write(2) with O_APPEND, so lines of several processes
// never interleave. A line that cannot be written is counted (the metric
// family given) and reported at most once a minute under the log's name; it
// never delays or changes a decision. Strings in the lines are written with
// Quoted (core/strings.h).
// Thread-safety: LineLog is safe for concurrent use.
#ifndef SENDGUARD_SESSION_LINE_LOG_H_
#define SENDGUARD_SESSION_LINE_LOG_H_

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/strings.h"  // Quoted, for the writers of lines
#include "metrics/catalog.h"

namespace sendguard {

// `key` names the setting in errors ("[log] decision_log").
Result<int> OpenLogFile(const std::string& path, const std::string& key);

class LineLog {
 public:
  // Takes the descriptor. `name` ("decision log") is what complaints say.
  explicit LineLog(int fd, std::string name = "decision log",
                   metrics::Family errors = metrics::Family::kDecisionLogErrors)
      : fd_(fd), name_(std::move(name)), errors_(errors) {}
  ~LineLog();
  LineLog(const LineLog&) = delete;
  LineLog& operator=(const LineLog&) = delete;

  void Write(std::string line);  // without the newline
  void Replace(int fd);          // takes the descriptor; closes the old one
  int fd() const;                // -1 if none

 private:
  mutable std::mutex mu_;
  int fd_;  // guarded by mu_
  const std::string name_;
  const metrics::Family errors_;
  std::atomic<int64_t> last_complaint_s_{0};
};

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_LINE_LOG_H_

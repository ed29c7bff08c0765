// session/decision_log.h — the optional JSON-lines decision log: one object
// per decided message ([log] decision_log).
//
// Contract: the privileged parent opens the file (OpenDecisionLogFile:
// append, created 0640, so it may live in a directory only root can write)
// and every worker inherits the descriptor; `sendguard reopen-logs` and a
// reload make the parent open the path again (after logrotate moved it) and
// hand the new descriptor to each worker, which swaps it in (Replace). Each
// line is one write(2) with O_APPEND, so lines of several workers never
// interleave. A line that cannot be written is counted
// (sendguard_decision_log_errors_total) and reported at most once a minute;
// it never delays or changes a decision. Strings are valid JSON: bytes that
// are not UTF-8 become U+FFFD.
// Thread-safety: DecisionLog is safe for concurrent use.
#ifndef SENDGUARD_SESSION_DECISION_LOG_H_
#define SENDGUARD_SESSION_DECISION_LOG_H_

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sendguard {

Result<int> OpenDecisionLogFile(const std::string& path);

class DecisionLog {
 public:
  explicit DecisionLog(int fd) : fd_(fd) {}  // takes the descriptor
  ~DecisionLog();
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  void Write(std::string line);  // without the newline
  void Replace(int fd);          // takes the descriptor; closes the old one

 private:
  std::mutex mu_;
  int fd_;  // guarded by mu_
  std::atomic<int64_t> last_complaint_s_{0};
};

// A JSON string literal of `s`.
std::string JsonString(std::string_view s);

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_DECISION_LOG_H_

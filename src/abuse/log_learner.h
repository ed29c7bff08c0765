// abuse/log_learner.h — day-one baselines from the Postfix logs a relay
// already has, so detection knows what is normal the day it is installed.
//
// Contract: AddLine() takes one syslog line at a time, in file order, and
// ignores what it does not recognise. It reads the smtpd line that names a
// queue id's SASL login (sasl_username=) or client address (client=), the
// qmgr line with its recipient count (nrcpt=), and the delivery lines with
// each recipient (to=<...>). Timestamps in the classic syslog form ("Dec  3
// 12:00:01", no year: hours are told apart within a year) or RFC 3339
// ("2026-12-03T12:00:01.123+00:00"). A message with no login counts for its
// client address only when `is_trusted(address)` (identities as the daemon
// counts them). Baselines() gives, per identity, what it sent per active
// hour and per active day (messages, distinct recipients), folded in time
// order with the engine's own EWMAs (signals.h), and how many active hours
// and days that is.
// Memory: per queue id until its qmgr line, per identity and hour a set of
// recipient hashes.
// Thread-safety: none.
#ifndef SENDGUARD_ABUSE_LOG_LEARNER_H_
#define SENDGUARD_ABUSE_LOG_LEARNER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sendguard::abuse {

struct LearnedBaseline {
  std::string identity;           // as logged (the caller normalises it)
  double messages_per_hour = 0;
  double recipients_per_hour = 0;
  int64_t active_hours = 0;
  double messages_per_day = 0;    // and per active day (FoldDay)
  double recipients_per_day = 0;
  int64_t active_days = 0;
  int64_t messages = 0;
};

class PostfixLogLearner {
 public:
  explicit PostfixLogLearner(std::function<bool(const std::string&)> is_trusted) : is_trusted_(std::move(is_trusted)) {}
  void AddLine(std::string_view line);
  std::vector<LearnedBaseline> Baselines() const;
  int64_t messages_seen() const { return messages_; }

 private:
  struct Hour {
    int64_t messages = 0;
    std::set<uint32_t> recipients;
    int64_t nrcpt = 0;
  };
  struct Pending {
    std::string identity;
    int64_t hour = -1;
  };
  void OnClient(const std::string& qid, std::string_view rest, int64_t hour);
  void OnQueued(const std::string& qid, std::string_view rest);
  void OnDelivery(const std::string& qid, std::string_view rest);

  std::function<bool(const std::string&)> is_trusted_;
  std::map<std::string, Pending> by_queue_id_;                  // until qmgr's line
  std::map<std::string, Pending> counted_;                      // after it, for to= lines
  std::map<std::string, std::map<int64_t, Hour>> hours_;        // identity -> hour -> counts
  int64_t messages_ = 0;
};

}  // namespace sendguard::abuse

#endif  // SENDGUARD_ABUSE_LOG_LEARNER_H_

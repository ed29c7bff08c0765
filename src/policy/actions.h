// policy/actions.h — what a content score leads to: the score thresholds per
// quota class (policies/actions.conf) and the pure decision over them.
//
// File format (one statement per line, '#' starts a comment):
//   score CLASS [tag N] [quarantine N] [reject N]   thresholds; a step left out never happens
//   reject_text TEXT                                text of the 550 5.7.1 reply
//   reveal_rules yes|no                             name the rules that hit in the reply
// A class without a `score` line uses the `default` one; the built-in default
// is tag 5, quarantine 8, reject 12.
//
// Contract: Load() returns an error naming file:line for anything it does not
// understand. DecideContent() is pure.
// Thread-safety: ActionPolicy is immutable after Load; share freely.
#ifndef SENDGUARD_POLICY_ACTIONS_H_
#define SENDGUARD_POLICY_ACTIONS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "policy/verdict.h"

namespace sendguard {
namespace policy {

// Score thresholds of one quota class; an unset one never applies. The one
// threshold type: the daemon and `sendguard scan` both decide with it.
struct Thresholds {
  std::optional<double> tag = 5.0;         // score >= tag: add the spam headers
  std::optional<double> quarantine = 8.0;  // score >= quarantine: hold
  std::optional<double> reject = 12.0;     // score >= reject: 550 5.7.1
};

class ActionPolicy {
 public:
  static Result<std::shared_ptr<const ActionPolicy>> Load(const std::string& path);
  static std::shared_ptr<const ActionPolicy> Defaults();

  const Thresholds& For(const std::string& quota_class) const;
  const std::string& reject_text() const { return reject_text_; }
  bool reveal_rules() const { return reveal_rules_; }

 private:
  Status ParseLine(const std::string& where, const std::vector<std::string>& words);
  std::map<std::string, Thresholds> by_class_;
  Thresholds default_;
  std::string reject_text_ = "message refused as spam; if this is a mistake, contact your mail provider";
  bool reveal_rules_ = false;
};

enum class ContentAction { kAccept, kTag, kQuarantine, kReject };

struct ContentDecision {
  ContentAction action = ContentAction::kAccept;
  SmtpReply reply;                   // for kReject
  std::vector<HeaderEdit> headers;   // X-Spam-* for kTag and kQuarantine
  std::string quarantine_reason;     // for kQuarantine
};

const char* ContentActionName(ContentAction a);

// The action a score earns under `t`: the highest threshold it reaches.
ContentAction ActionForScore(double score, const Thresholds& t);

ContentDecision DecideContent(const ActionPolicy& policy, const std::string& quota_class,
                              double score, const std::vector<std::string>& rule_names);

}  // namespace policy
}  // namespace sendguard

#endif  // SENDGUARD_POLICY_ACTIONS_H_

// policy/actions.cc — parsing policies/actions.conf and mapping a content
// score to an action.
#include "policy/actions.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/strings.h"

namespace sendguard {
namespace policy {

namespace {

std::vector<std::string> Words(const std::string& line) { return SplitWords(line.substr(0, line.find('#'))); }

// The rest of `line` after its first word, trimmed (for free text).
std::string RestAfterFirstWord(const std::string& line) {
  size_t start = line.find_first_not_of(" \t");
  size_t gap = line.find_first_of(" \t", start);
  if (gap == std::string::npos) return "";
  size_t text = line.find_first_not_of(" \t", gap);
  if (text == std::string::npos) return "";
  size_t end = line.find_last_not_of(" \t\r\n");
  return line.substr(text, end - text + 1);
}

bool ParseScore(const std::string& s, double* out) {
  char* end = nullptr;
  double v = strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || v < -1000 || v > 1000) return false;
  *out = v;
  return true;
}

std::string FormatScore(double v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

Status ParseThresholds(const std::string& where, const std::vector<std::string>& w, Thresholds* t) {
  *t = Thresholds{std::nullopt, std::nullopt, std::nullopt};
  if (w.size() < 4 || w.size() % 2 != 0) {
    return Status::InvalidArgument(where + ": expected 'score CLASS tag N quarantine N reject N'");
  }
  for (size_t i = 2; i + 1 < w.size(); i += 2) {
    double v = 0;
    if (!ParseScore(w[i + 1], &v)) {
      return Status::InvalidArgument(where + ": '" + w[i + 1] + "' is not a score");
    }
    if (w[i] == "tag") t->tag = v;
    else if (w[i] == "quarantine") t->quarantine = v;
    else if (w[i] == "reject") t->reject = v;
    else return Status::InvalidArgument(where + ": unknown step '" + w[i] + "' (tag, quarantine, reject)");
  }
  return Status::Ok();
}

}  // namespace

Status ActionPolicy::ParseLine(const std::string& where, const std::vector<std::string>& w) {
  if (w[0] == "score") {
    Thresholds t;
    Status s = ParseThresholds(where, w, &t);
    if (!s.ok()) return s;
    if (by_class_.count(w[1])) return Status::InvalidArgument(where + ": class '" + w[1] + "' given twice");
    by_class_[w[1]] = t;
    if (w[1] == "default") default_ = t;
    return Status::Ok();
  }
  if (w[0] == "reveal_rules") {
    if (w.size() != 2 || (w[1] != "yes" && w[1] != "no")) {
      return Status::InvalidArgument(where + ": reveal_rules takes yes or no");
    }
    reveal_rules_ = w[1] == "yes";
    return Status::Ok();
  }
  return Status::InvalidArgument(where + ": unknown statement '" + w[0] + "'");
}

Result<std::shared_ptr<const ActionPolicy>> ActionPolicy::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot open");
  auto policy = std::make_shared<ActionPolicy>();
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::vector<std::string> w = Words(line);
    if (w.empty()) continue;
    std::string where = path + ":" + std::to_string(n);
    if (w[0] == "reject_text") {
      policy->reject_text_ = RestAfterFirstWord(line);
      if (policy->reject_text_.empty()) return Status::InvalidArgument(where + ": reject_text is empty");
      continue;
    }
    Status s = policy->ParseLine(where, w);
    if (!s.ok()) return s;
  }
  return std::shared_ptr<const ActionPolicy>(std::move(policy));
}

std::shared_ptr<const ActionPolicy> ActionPolicy::Defaults() {
  static const auto defaults = std::make_shared<const ActionPolicy>();
  return defaults;
}

const Thresholds& ActionPolicy::For(const std::string& quota_class) const {
  auto it = by_class_.find(quota_class);
  return it == by_class_.end() ? default_ : it->second;
}

const char* ContentActionName(ContentAction a) {
  switch (a) {
    case ContentAction::kAccept: return "accept";
    case ContentAction::kTag: return "tag";
    case ContentAction::kQuarantine: return "quarantine";
    case ContentAction::kReject: return "reject";
  }
  return "?";
}

ContentAction ActionForScore(double score, const Thresholds& t) {
  if (t.reject && score >= *t.reject) return ContentAction::kReject;
  if (t.quarantine && score >= *t.quarantine) return ContentAction::kQuarantine;
  if (t.tag && score >= *t.tag) return ContentAction::kTag;
  return ContentAction::kAccept;
}

ContentDecision DecideContent(const ActionPolicy& policy, const std::string& quota_class,
                              double score, const std::vector<std::string>& rule_names) {
  const Thresholds& t = policy.For(quota_class);
  ContentDecision d;
  std::string rules = Join(rule_names, ",");
  if (rules.size() > 800) rules = rules.substr(0, rules.rfind(',', 800)) + ",...";  // one header line
  ContentAction action = ActionForScore(score, t);
  if (action == ContentAction::kReject) {
    d.action = ContentAction::kReject;
    std::string text = policy.reject_text();
    if (policy.reveal_rules() && !rules.empty()) text += " (" + Join(rule_names, ", ") + ")";
    d.reply = {"550", "5.7.1", text};
    return d;
  }
  if (action == ContentAction::kAccept) return d;
  bool quarantine = action == ContentAction::kQuarantine;
  double required = t.tag ? *t.tag : *t.quarantine;
  d.action = action;
  d.headers.push_back({HeaderEdit::Where::kAppend, "X-Spam-Score", FormatScore(score)});
  d.headers.push_back({HeaderEdit::Where::kAppend, "X-Spam-Status",
                       "Yes, score=" + FormatScore(score) + " required=" + FormatScore(required) +
                           " tests=" + (rules.empty() ? "none" : rules)});
  if (quarantine) d.quarantine_reason = "sendguard: spam score " + FormatScore(score) + " (" + rules + ")";
  return d;
}

}  // namespace policy
}  // namespace sendguard

// abuse/abuse_policy.cc — the abuse.conf parser.
#include "abuse/abuse_policy.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/strings.h"

namespace sendguard::abuse {
namespace {

struct SignalWord {
  const char* name;
  Signal signal;
};
constexpr SignalWord kSignals[] = {
    {"messages", Signal::kMessages},
    {"recipients", Signal::kRecipients},
    {"distinct_recipients", Signal::kDistinctRecipients},
    {"distinct_domains", Signal::kDistinctDomains},
    {"client_addresses", Signal::kClientAddresses},
    {"content_tagged", Signal::kContentTagged},
    {"content_quarantined", Signal::kContentQuarantined},
    {"content_rejected", Signal::kContentRejected},
    {"sender_refusals", Signal::kSenderRefusals},
    {"quota_hits", Signal::kQuotaHits},
    {"messages_24h", Signal::kMessages24h},
    {"recipients_24h", Signal::kRecipients24h},
    {"top_rule_hits", Signal::kTopRuleHits},
};

bool ParseSignal(const std::string& w, Signal* out) {
  for (const SignalWord& s : kSignals) {
    if (w == s.name) {
      *out = s.signal;
      return true;
    }
  }
  return false;
}

bool ParseAction(const std::string& w, Action* out) {
  for (Action a : {Action::kNotify, Action::kThrottle, Action::kHold, Action::kSuspend, Action::kEscalate}) {
    if (w == ActionName(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

bool ParseCount(const std::string& w, int64_t* out) {
  char* end = nullptr;
  long long v = strtoll(w.c_str(), &end, 10);
  if (w.empty() || *end != '\0' || v < 0) return false;
  *out = v;
  return true;
}

bool ParseDuration(const std::string& w, int64_t* out) {
  if (w.size() < 2) return false;
  int64_t n = 0;
  if (!ParseCount(w.substr(0, w.size() - 1), &n) || n == 0) return false;
  switch (w.back()) {
    case 'm': *out = n * 60; return true;
    case 'h': *out = n * 3600; return true;
    case 'd': *out = n * 86400; return true;
    case 'w': *out = n * 7 * 86400; return true;
  }
  return false;
}

class Parser {
 public:
  Parser(AbusePolicy* p) : p_(p) {}
  Status Line(const std::vector<std::string>& w, const std::string& raw, int n);
  Status Finish() const {
    return in_class_.empty() ? Status::Ok() : Error(class_line_, "class " + in_class_ + " { is never closed");
  }

 private:
  Status Error(int n, const std::string& why) const {
    return Status::InvalidArgument(p_->path + ":" + std::to_string(n) + ": " + why);
  }
  Status ConditionLine(const std::vector<std::string>& w, int n);
  Status DurationLine(const std::vector<std::string>& w, int n);
  Status SuspendText(const std::string& raw, int n);
  Status BaselineLine(const std::vector<std::string>& w, int n);
  Status ClassLine(const std::vector<std::string>& w, const std::string& raw, int n);
  AbusePolicy* p_;
  std::string in_class_;  // inside "class NAME {"
  int class_line_ = 0;
};

// condition NAME SIGNAL >= N [and >= F x baseline] -> ACTION
Status Parser::ConditionLine(const std::vector<std::string>& words, int n) {
  std::vector<std::string> w;  // "-> suspend" and "->suspend" alike
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "->" && i + 1 < words.size()) w.push_back("->" + words[++i]);
    else w.push_back(words[i]);
  }
  const char* form = "want: condition NAME SIGNAL >= N [and >= Fx baseline] -> ACTION";
  Condition c;
  c.line = n;
  if (w.size() != 6 && w.size() != 10) return Error(n, form);
  c.name = w[1];
  std::vector<Condition>& into = in_class_.empty() ? p_->conditions : p_->class_conditions[in_class_];
  for (const Condition& other : into) {
    if (other.name == c.name) return Error(n, "condition '" + c.name + "' is defined twice");
  }
  if (!ParseSignal(w[2], &c.signal)) return Error(n, "unknown signal '" + w[2] + "'");
  if (w[3] != ">=" || !ParseCount(w[4], &c.at_least)) return Error(n, form);
  size_t arrow = 5;
  if (w.size() == 10) {
    std::string f = w[7];
    if (w[5] != "and" || w[6] != ">=" || f.size() < 2 || f.back() != 'x' || w[8] != "baseline") return Error(n, form);
    char* end = nullptr;
    c.baseline_factor = strtod(f.c_str(), &end);
    if (end != f.c_str() + f.size() - 1 || c.baseline_factor <= 0) return Error(n, "bad baseline factor '" + f + "'");
    arrow = 9;
  }
  if (w[arrow] .find("->") != 0) return Error(n, form);
  std::string action = w[arrow].substr(2);
  if (action.empty() || !ParseAction(action, &c.action)) {
    return Error(n, "unknown action '" + w[arrow] + "' (->notify, ->throttle, ->hold, ->suspend, ->escalate)");
  }
  into.push_back(c);
  return Status::Ok();
}

Status Parser::DurationLine(const std::vector<std::string>& w, int n) {
  Level level;
  int64_t seconds = 0;
  if (w.size() != 3 || !ParseLevel(w[1], &level) || level == Level::kNone) {
    return Error(n, "want: duration throttle|hold|suspend DURATION");
  }
  if (!ParseDuration(w[2], &seconds)) return Error(n, "bad duration '" + w[2] + "' (e.g. 30m, 4h, 2d, 1w)");
  p_->durations[level] = seconds;
  return Status::Ok();
}

// suspend_text 550 5.7.1 free text
Status Parser::SuspendText(const std::string& raw, int n) {
  std::vector<std::string> w = SplitWords(raw);
  if (w.size() < 4 || w[1].size() != 3 || w[1][0] != '5' || w[2].size() < 5 || w[2][0] != '5') {
    return Error(n, "want: suspend_text 5XX 5.X.X text (a permanent refusal)");
  }
  size_t at = raw.find(w[2]) + w[2].size();
  p_->suspend_reply = SmtpReply{w[1], w[2], std::string(Trim(raw.substr(at)))};
  return Status::Ok();
}

// default_baseline messages N recipients N          (per active hour)
// default_day_baseline messages N recipients N      (per active day)
Status Parser::BaselineLine(const std::vector<std::string>& w, int n) {
  bool day = w[0] == "default_day_baseline";
  if (w.size() != 5 || w[1] != "messages" || w[3] != "recipients") {
    return Error(n, "want: " + w[0] + " messages N recipients N (per active " + (day ? "day)" : "hour)"));
  }
  int64_t m = 0, r = 0;
  if (!ParseCount(w[2], &m) || !ParseCount(w[4], &r)) return Error(n, "baseline values must be whole numbers");
  (day ? p_->default_messages_per_day : p_->default_messages_per_hour) = static_cast<double>(m);
  (day ? p_->default_recipients_per_day : p_->default_recipients_per_hour) = static_cast<double>(r);
  return Status::Ok();
}

// Inside a class block only conditions and the closing brace.
Status Parser::ClassLine(const std::vector<std::string>& w, const std::string& raw, int n) {
  if (w.size() == 1 && w[0] == "}") {
    in_class_.clear();
    return Status::Ok();
  }
  if (w[0] == "condition") return ConditionLine(w, n);
  return Error(n, "only conditions belong in class " + in_class_ + " { } ('" + std::string(Trim(raw)) + "')");
}

Status Parser::Line(const std::vector<std::string>& w, const std::string& raw, int n) {
  const std::string& k = w[0];
  if (!in_class_.empty()) return ClassLine(w, raw, n);
  if (k == "class") {
    if (w.size() != 3 || w[2] != "{") return Error(n, "want: class NAME {");
    in_class_ = w[1];
    class_line_ = n;
    return Status::Ok();
  }
  if (k == "condition") return ConditionLine(w, n);
  if (k == "duration") return DurationLine(w, n);
  if (k == "suspend_text") return SuspendText(raw, n);
  if (k == "default_baseline" || k == "default_day_baseline") return BaselineLine(w, n);
  if (k == "manual_release_after" && w.size() == 2 && ParseCount(w[1], &p_->manual_release_after)) return Status::Ok();
  if (k == "alert_interval" && w.size() == 2 && ParseDuration(w[1], &p_->alert_interval)) return Status::Ok();
  if (k == "throttle_class" && w.size() == 2) {
    p_->throttle_class = w[1];
    return Status::Ok();
  }
  if (k == "exempt" && w.size() >= 2) {
    for (size_t i = 1; i < w.size(); ++i) p_->exempt_identities.push_back(Lower(w[i]));
    return Status::Ok();
  }
  if (k == "exempt_class" && w.size() >= 2) {
    p_->exempt_classes.insert(p_->exempt_classes.end(), w.begin() + 1, w.end());
    return Status::Ok();
  }
  return Error(n, "cannot read '" + std::string(Trim(raw)) + "' (see the file's opening comment)");
}

}  // namespace

const char* ActionName(Action a) {
  switch (a) {
    case Action::kNotify: return "notify";
    case Action::kThrottle: return "throttle";
    case Action::kHold: return "hold";
    case Action::kSuspend: return "suspend";
    case Action::kEscalate: return "escalate";
  }
  return "notify";
}

const char* SignalName(Signal signal) {
  for (const SignalWord& s : kSignals) {
    if (s.signal == signal) return s.name;
  }
  return "?";
}

int64_t SignalValue(const Signals& s, Signal signal) {
  switch (signal) {
    case Signal::kMessages: return s.messages;
    case Signal::kRecipients: return s.recipients;
    case Signal::kDistinctRecipients: return s.distinct_recipients;
    case Signal::kDistinctDomains: return s.distinct_domains;
    case Signal::kClientAddresses: return s.client_addresses;
    case Signal::kContentTagged: return s.content_tagged;
    case Signal::kContentQuarantined: return s.content_quarantined;
    case Signal::kContentRejected: return s.content_rejected;
    case Signal::kSenderRefusals: return s.sender_refusals;
    case Signal::kQuotaHits: return s.quota_hits;
    case Signal::kMessages24h: return s.messages_24h;
    case Signal::kRecipients24h: return s.recipients_24h;
    case Signal::kTopRuleHits: return s.top_rule_hits;
  }
  return 0;
}

Result<std::shared_ptr<const AbusePolicy>> AbusePolicy::Parse(const std::string& text, const std::string& path) {
  auto p = std::make_shared<AbusePolicy>();
  p->path = path;
  Parser parser(p.get());
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string code = line.substr(0, line.find('#'));
    std::vector<std::string> w = SplitWords(code);
    if (w.empty()) continue;
    Status s = parser.Line(w, code, n);
    if (!s.ok()) return s;
  }
  Status s = parser.Finish();
  if (!s.ok()) return s;
  return std::shared_ptr<const AbusePolicy>(std::move(p));
}

Result<std::shared_ptr<const AbusePolicy>> AbusePolicy::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot open the abuse policy");
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

std::vector<const Condition*> AbusePolicy::ConditionsFor(const std::string& quota_class) const {
  auto own = class_conditions.find(quota_class);
  std::vector<const Condition*> out;
  for (const Condition& c : conditions) {
    const Condition* pick = &c;
    if (own != class_conditions.end()) {
      for (const Condition& o : own->second) {
        if (o.name == c.name) pick = &o;
      }
    }
    out.push_back(pick);
  }
  if (own == class_conditions.end()) return out;
  for (const Condition& o : own->second) {
    bool replaced = false;
    for (const Condition& c : conditions) replaced = replaced || c.name == o.name;
    if (!replaced) out.push_back(&o);
  }
  return out;
}

bool AbusePolicy::Exempt(const std::string& identity, const std::string& quota_class) const {
  std::string id = Lower(identity);
  for (const std::string& e : exempt_identities) {
    if (e == id) return true;
  }
  for (const std::string& c : exempt_classes) {
    if (c == quota_class) return true;
  }
  return false;
}

}  // namespace sendguard::abuse

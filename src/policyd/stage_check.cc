// policyd/stage_check.cc — restriction lists tokenised as Postfix does
// (commas and white space; "{ ... }" groups a service with its options).
#include "policyd/stage_check.h"

#include <set>

#include "core/strings.h"

namespace sendguard::policyd {
namespace {

const char* const kStages[] = {"smtpd_client_restrictions", "smtpd_helo_restrictions",
                               "smtpd_sender_restrictions", "smtpd_relay_restrictions",
                               "smtpd_recipient_restrictions", "smtpd_data_restrictions",
                               "smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions"};
constexpr char kRcpt[] = "smtpd_recipient_restrictions";
constexpr char kRelay[] = "smtpd_relay_restrictions";
constexpr char kEod[] = "smtpd_end_of_data_restrictions";

std::vector<std::string> Tokens(const std::string& list) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : list) {
    if (c == '{') ++depth;
    if (c == '}') --depth;
    bool sep = depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n');
    if (!sep) cur += c;
    if ((sep || c == '}') && !cur.empty() && depth == 0) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// "{ inet:h:p, timeout=10s }" or "inet:h:p" -> "inet:h:p"; no type: inet.
std::string ServiceOf(std::string token) {
  if (!token.empty() && token.front() == '{') {
    token = token.substr(1, token.find_first_of(",}") - 1);
  }
  token = std::string(Trim(token));
  if (token.compare(0, 5, "inet:") != 0 && token.compare(0, 5, "unix:") != 0) token = "inet:" + token;
  return token;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool NamesOurs(const std::string& service, const std::vector<std::string>& sockets) {
  bool relative_unix = service.compare(0, 5, "unix:") == 0 && service.size() > 5 && service[5] != '/';
  for (const std::string& s : sockets) {
    if (s == service) return true;
    // "unix:private/policy" is relative to Postfix's queue directory.
    if (relative_unix && s.compare(0, 5, "unix:") == 0 && EndsWith(s, "/" + service.substr(5))) return true;
  }
  return false;
}

struct Placement {
  bool found = false;
  std::string shadowed_by;  // a permit_* before it
};

// Where in `list` (following restriction classes) our service is.
Placement Find(const std::string& list, const std::map<std::string, std::string>& params,
               const std::vector<std::string>& sockets, std::set<std::string>* seen) {
  Placement p;
  std::vector<std::string> t = Tokens(list);
  std::string permit;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == "check_policy_service" && i + 1 < t.size()) {
      if (NamesOurs(ServiceOf(t[++i]), sockets)) return {true, permit};
      continue;
    }
    if (permit.empty() && (t[i] == "permit" || t[i] == "permit_sasl_authenticated" || t[i] == "permit_mynetworks")) {
      permit = t[i];
    }
    auto cls = params.find(t[i]);
    if (cls != params.end() && seen->insert(t[i]).second) {
      Placement inner = Find(cls->second, params, sockets, seen);
      if (inner.found) return {true, inner.shadowed_by.empty() ? permit : inner.shadowed_by};
    }
  }
  return p;
}

// The warnings of one smtpd (main.cf, or a master.cf service's overrides).
std::vector<std::string> WarningsFor(const std::string& where, const std::map<std::string, std::string>& params,
                                     const std::vector<std::string>& sockets, bool* attached) {
  std::map<std::string, Placement> at;
  for (const char* stage : kStages) {
    auto it = params.find(stage);
    std::set<std::string> seen;
    if (it != params.end()) at[stage] = Find(it->second, params, sockets, &seen);
  }
  std::vector<std::string> out;
  bool rcpt = at[kRcpt].found || at[kRelay].found, eod = at[kEod].found;
  std::vector<std::string> early;
  for (const auto& [stage, p] : at) {
    if (p.found && stage != kRcpt && stage != kRelay && stage != kEod) early.push_back(stage);
  }
  *attached = *attached || rcpt || eod || !early.empty();
  if (!rcpt && !eod && !early.empty()) {
    out.push_back(where + "check_policy_service for sendguard is only in " + Join(early, ", ") +
                  ": there is no recipient there and nothing is counted; put it in smtpd_recipient_restrictions "
                  "and smtpd_end_of_data_restrictions");
  }
  if (rcpt && !eod) {
    out.push_back(where + "check_policy_service for sendguard is in smtpd_recipient_restrictions but not in "
                  "smtpd_end_of_data_restrictions: reservations are never committed and nothing is counted");
  }
  if (eod && !rcpt) {
    out.push_back(where + "check_policy_service for sendguard is only in smtpd_end_of_data_restrictions: "
                  "over-quota mail is refused only after its whole content was transferred");
  }
  for (const char* stage : {kRelay, kRcpt}) {
    if (at[stage].found && !at[stage].shadowed_by.empty()) {
      out.push_back(where + std::string(stage) + ": check_policy_service for sendguard comes after " +
                    at[stage].shadowed_by + ": those senders never reach it; put it first");
    }
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> ParsePostconf(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    size_t eq = line.find(" = ");
    if (eq != std::string::npos) out[std::string(Trim(line.substr(0, eq)))] = line.substr(eq + 3);
    else if (line.size() > 2 && line.compare(line.size() - 2, 2, " =") == 0) out[line.substr(0, line.size() - 2)] = "";
  }
  return out;
}

std::vector<std::string> StageWarnings(const std::map<std::string, std::string>& main_cf,
                                       const std::map<std::string, std::string>& master_overrides,
                                       const std::vector<std::string>& sockets) {
  bool attached = false;
  std::vector<std::string> out = WarningsFor("main.cf: ", main_cf, sockets, &attached);
  std::map<std::string, std::map<std::string, std::string>> services;  // "submission/inet" -> params
  for (const auto& [name, value] : master_overrides) {
    size_t slash = name.rfind('/');
    if (slash != std::string::npos) services[name.substr(0, slash)][name.substr(slash + 1)] = value;
  }
  for (auto& [service, overrides] : services) {
    std::map<std::string, std::string> effective = main_cf;
    for (auto& [k, v] : overrides) effective[k] = v;
    bool relevant = false;
    for (const char* stage : kStages) relevant = relevant || overrides.count(stage);
    if (!relevant) continue;
    std::vector<std::string> w = WarningsFor("master.cf " + service + ": ", effective, sockets, &attached);
    out.insert(out.end(), w.begin(), w.end());
  }
  if (!attached) {
    out.push_back("no check_policy_service in Postfix's restrictions names a [policy] listen socket (" +
                  Join(sockets, ", ") + ")");
  }
  return out;
}

}  // namespace sendguard::policyd

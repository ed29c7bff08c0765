// abuse/log_learner.cc — parsing Postfix's smtpd, qmgr and delivery lines.
#include "abuse/log_learner.h"

#include <cstdio>
#include <cstring>

#include "abuse/signals.h"
#include "core/strings.h"

namespace sendguard::abuse {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// An hour key that orders hours in time: YYYYMMDDHH, or MMDDHH without a year.
int64_t HourOf(std::string_view line) {
  int y = 0, mo = 0, d = 0, h = 0;
  std::string head(line.substr(0, 32));
  if (sscanf(head.c_str(), "%4d-%2d-%2dT%2d", &y, &mo, &d, &h) == 4) return ((y * 100LL + mo) * 100 + d) * 100 + h;
  char mon[4] = {0};
  if (sscanf(head.c_str(), "%3s %d %d:", mon, &d, &h) != 3) return -1;
  for (int i = 0; i < 12; ++i) {
    if (strcmp(mon, kMonths[i]) == 0) return ((i + 1) * 100LL + d) * 100 + h;
  }
  return -1;
}

// The value of "key=" up to ',' or ' ' (or '>' for <...> values).
std::string Field(std::string_view rest, std::string_view key) {
  size_t at = rest.find(key);
  if (at == std::string_view::npos) return "";
  std::string_view v = rest.substr(at + key.size());
  bool angled = !v.empty() && v[0] == '<';
  if (angled) v.remove_prefix(1);
  size_t end = v.find_first_of(angled ? ">" : ", ");
  return std::string(v.substr(0, end));
}

// "client=name[1.2.3.4]" -> "1.2.3.4".
std::string ClientAddress(std::string_view rest) {
  std::string client = Field(rest, "client=");
  size_t open = client.find('['), close = client.rfind(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  std::string a = client.substr(open + 1, close - open - 1);
  if (a.rfind("IPv6:", 0) == 0) a = a.substr(5);
  return a;
}

// "postfix/submission/smtpd[12]: 4Bq1Xy3z: client=..." -> program "smtpd",
// queue id, and what follows.
bool Split(std::string_view line, std::string* program, std::string* qid, std::string_view* rest) {
  size_t p = line.find(" postfix");
  if (p == std::string_view::npos) return false;
  size_t bracket = line.find('[', p), colon = line.find("]: ", p);
  if (bracket == std::string_view::npos || colon == std::string_view::npos || colon < bracket) return false;
  std::string_view prog = line.substr(p + 1, bracket - p - 1);
  *program = std::string(prog.substr(prog.rfind('/') + 1));
  std::string_view after = line.substr(colon + 3);
  size_t qend = after.find(": ");
  if (qend == std::string_view::npos || qend == 0 || qend > 20) return false;
  for (char c : after.substr(0, qend)) {
    if (!isalnum(static_cast<unsigned char>(c))) return false;
  }
  *qid = std::string(after.substr(0, qend));
  *rest = after.substr(qend + 2);
  return true;
}

}  // namespace

void PostfixLogLearner::OnClient(const std::string& qid, std::string_view rest, int64_t hour) {
  std::string login = Field(rest, "sasl_username=");
  std::string identity = login;
  if (identity.empty()) {
    std::string address = ClientAddress(rest);
    if (address.empty() || !is_trusted_(address)) return;
    identity = address;
  }
  by_queue_id_[qid] = Pending{identity, hour};
}

void PostfixLogLearner::OnQueued(const std::string& qid, std::string_view rest) {
  auto it = by_queue_id_.find(qid);
  if (it == by_queue_id_.end() || rest.find("nrcpt=") == std::string_view::npos) return;
  Hour& h = hours_[it->second.identity][it->second.hour];
  h.messages += 1;
  h.nrcpt += atoll(Field(rest, "nrcpt=").c_str());
  ++messages_;
  counted_[qid] = it->second;
  by_queue_id_.erase(it);
}

void PostfixLogLearner::OnDelivery(const std::string& qid, std::string_view rest) {
  auto it = counted_.find(qid);
  std::string to = Field(rest, "to=");
  if (it == counted_.end() || to.empty()) return;
  hours_[it->second.identity][it->second.hour].recipients.insert(HashOf(to));
}

void PostfixLogLearner::AddLine(std::string_view line) {
  std::string program, qid;
  std::string_view rest;
  if (!Split(line, &program, &qid, &rest)) return;
  if (program == "smtpd" && rest.rfind("client=", 0) == 0) return OnClient(qid, rest, HourOf(line));
  if (program == "pickup") return;  // local submissions: not a login's
  if (program == "qmgr" && rest.rfind("from=", 0) == 0) return OnQueued(qid, rest);
  if (rest.rfind("to=", 0) == 0) return OnDelivery(qid, rest);
  if (program == "qmgr" && rest.rfind("removed", 0) == 0) counted_.erase(qid);
}

std::vector<LearnedBaseline> PostfixLogLearner::Baselines() const {
  std::vector<LearnedBaseline> out;
  for (const auto& [identity, hours] : hours_) {
    LearnedBaseline b;
    b.identity = identity;
    int64_t day = -1;
    double day_messages = 0, day_recipients = 0;
    auto fold_day = [&] {
      if (day < 0) return;
      b.messages_per_day = FoldDay(b.messages_per_day, day_messages, b.active_days);
      b.recipients_per_day = FoldDay(b.recipients_per_day, day_recipients, b.active_days);
      ++b.active_days;
    };
    for (const auto& [hour, h] : hours) {  // std::map: in time order
      double m = static_cast<double>(h.messages);
      double r = static_cast<double>(h.recipients.empty() ? h.nrcpt : static_cast<int64_t>(h.recipients.size()));
      b.messages_per_hour = FoldHour(b.messages_per_hour, m, b.active_hours);
      b.recipients_per_hour = FoldHour(b.recipients_per_hour, r, b.active_hours);
      ++b.active_hours;
      b.messages += h.messages;
      if (hour / 24 != day) {
        fold_day();
        day = hour / 24;
        day_messages = day_recipients = 0;
      }
      day_messages += m;
      day_recipients += r;  // distinct per hour, summed: recipients a day
    }
    fold_day();
    out.push_back(b);
  }
  return out;
}

}  // namespace sendguard::abuse

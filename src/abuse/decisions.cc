// abuse/decisions.cc — the identity's recent decisions, bounded.
#include "abuse/decisions.h"

#include <cstdio>
#include <sstream>

#include "abuse/record_text.h"
#include "core/strings.h"

namespace sendguard::abuse {
namespace {

std::string Trim(std::string s) {
  if (s.size() > kMaxDecisionText) s.resize(kMaxDecisionText);
  return s;
}

void Cap(std::vector<std::string>* list, size_t n) {
  if (list->size() > n) list->resize(n);
  for (std::string& s : *list) s = Trim(std::move(s));
}

// A list as one token: its items joined by newlines (which Esc escapes).
std::string EscList(const std::vector<std::string>& items) {
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) joined += (i ? "\n" : "") + items[i];
  return Esc(joined);
}

bool UnescList(const std::string& token, std::vector<std::string>* out) {
  std::string joined;
  if (!Unesc(token, &joined)) return false;
  out->clear();
  if (joined.empty()) return true;
  std::istringstream in(joined);
  for (std::string item; std::getline(in, item);) out->push_back(item);
  return true;
}

}  // namespace

void AddDecision(std::vector<std::string>* list, Decision d) {
  d.queue_id = Trim(std::move(d.queue_id));
  d.from = Trim(std::move(d.from));
  d.action = Trim(std::move(d.action));
  d.checks = Trim(std::move(d.checks));
  d.hold_reason = Trim(std::move(d.hold_reason));
  d.reply = Trim(std::move(d.reply));
  Cap(&d.recipients, kMaxDecisionRecipients);
  Cap(&d.rules, kMaxDecisionRules);
  list->push_back(EncodeDecision(d));
  if (list->size() > kMaxDecisions) list->erase(list->begin(), list->begin() + (list->size() - kMaxDecisions));
}

std::string EncodeDecision(const Decision& d) {
  char score[32];
  snprintf(score, sizeof score, "%.3f", d.score);
  std::ostringstream o;
  o << d.at << ' ' << Esc(d.queue_id) << ' ' << Esc(d.from) << ' ' << d.recipient_count << ' '
    << EscList(d.recipients) << ' ' << Esc(d.action) << ' ' << Esc(d.checks) << ' ' << score << ' '
    << EscList(d.rules) << ' ' << Esc(d.hold_reason) << ' ' << Esc(d.reply);
  return o.str();
}

bool DecodeDecision(const std::string& line, Decision* d) {
  std::vector<std::string> t = SplitWords(line);
  if (t.size() != 11) return false;
  long long at = 0, count = 0;
  char end = 0;
  return sscanf(t[0].c_str(), "%lld%c", &at, &end) == 1 && sscanf(t[3].c_str(), "%lld%c", &count, &end) == 1 &&
         count >= 0 && sscanf(t[7].c_str(), "%lf%c", &d->score, &end) == 1 && Unesc(t[1], &d->queue_id) &&
         Unesc(t[2], &d->from) && UnescList(t[4], &d->recipients) && Unesc(t[5], &d->action) &&
         Unesc(t[6], &d->checks) && UnescList(t[8], &d->rules) && Unesc(t[9], &d->hold_reason) &&
         Unesc(t[10], &d->reply) && ((d->at = at), (d->recipient_count = count), true);
}

std::vector<Decision> DecodeDecisions(const std::vector<std::string>& encoded) {
  std::vector<Decision> out;
  for (const std::string& line : encoded) {
    Decision d;
    if (DecodeDecision(line, &d)) out.push_back(std::move(d));
  }
  return out;
}

}  // namespace sendguard::abuse

// abuse/signals.cc — counting one identity's mail, its baseline, and the
// record's text form.
#include "abuse/signals.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "abuse/record_text.h"
#include "core/strings.h"

namespace sendguard::abuse {
namespace {

// Marks `hash` as seen at `now`; when the set is full, the entry seen
// longest ago makes room.
void Touch(std::vector<Seen>* set, uint32_t hash, int64_t now, size_t cap) {
  for (Seen& s : *set) {
    if (s.hash == hash) {
      s.last = std::max(s.last, now);
      return;
    }
  }
  if (set->size() < cap) {
    set->push_back({hash, now});
    return;
  }
  auto oldest = std::min_element(set->begin(), set->end(), [](const Seen& a, const Seen& b) { return a.last < b.last; });
  *oldest = {hash, now};
}

int64_t CountSince(const std::vector<Seen>& set, int64_t since) {
  return std::count_if(set.begin(), set.end(), [since](const Seen& s) { return s.last > since; });
}

void Forget(std::vector<Seen>* set, int64_t before) {
  set->erase(std::remove_if(set->begin(), set->end(), [before](const Seen& s) { return s.last <= before; }),
             set->end());
}


// Folds the hour that ended into the baseline when the identity sent in it
// and was not restricted.
void RollBaseline(Record* r, int64_t now) {
  Baseline& b = r->baseline;
  int64_t hour = now - now % 3600;
  if (b.hour_start == 0) b.hour_start = hour;
  if (hour <= b.hour_start) return;
  if (b.hour_messages > 0 && !b.hour_restricted) {
    int64_t distinct = std::count_if(r->recipients.begin(), r->recipients.end(), [&](const Seen& s) {
      return s.last >= b.hour_start && s.last < b.hour_start + 3600;
    });
    b.messages_per_hour = FoldHour(b.messages_per_hour, static_cast<double>(b.hour_messages), b.active_hours);
    b.recipients_per_hour = FoldHour(b.recipients_per_hour, static_cast<double>(distinct), b.active_hours);
    ++b.active_hours;
  }
  b.hour_start = hour;
  b.hour_messages = 0;
  b.hour_restricted = r->state.level != Level::kNone;
}

// Folds the day that ended into the daily baseline, as RollBaseline does
// with hours.
void RollDay(Record* r, int64_t now) {
  Baseline& b = r->baseline;
  int64_t day = now - now % kDaySeconds;
  if (b.day_start == 0) b.day_start = day;
  if (day <= b.day_start) return;
  if (b.day_messages > 0 && !b.day_restricted) {
    b.messages_per_day = FoldDay(b.messages_per_day, static_cast<double>(b.day_messages), b.active_days);
    b.recipients_per_day = FoldDay(b.recipients_per_day, static_cast<double>(b.day_recipients), b.active_days);
    ++b.active_days;
  }
  b.day_start = day;
  b.day_messages = b.day_recipients = 0;
  b.day_restricted = r->state.level != Level::kNone;
}

void CountHour(Record* r, const MessageEvent& e) {
  int64_t start = e.now_s - e.now_s % 3600;
  auto& hs = r->hours;
  hs.erase(std::remove_if(hs.begin(), hs.end(), [&](const HourCount& h) { return h.start <= e.now_s - kDaySeconds; }),
           hs.end());
  if (start <= e.now_s - kDaySeconds) return;
  auto it = std::find_if(hs.begin(), hs.end(), [&](const HourCount& h) { return h.start == start; });
  if (it == hs.end()) {
    hs.push_back({start, 0, 0});
    std::sort(hs.begin(), hs.end(), [](const HourCount& a, const HourCount& b) { return a.start < b.start; });
    it = std::find_if(hs.begin(), hs.end(), [&](const HourCount& h) { return h.start == start; });
  }
  it->messages += 1;
  it->recipients += static_cast<int64_t>(e.recipients.size());
}

// Counts the event's top rule; rules that did not hit within the window are
// forgotten, and a full list makes room by dropping the one seen longest ago.
void CountRule(Record* r, const MessageEvent& e) {
  auto& rs = r->rules;
  rs.erase(std::remove_if(rs.begin(), rs.end(), [&](const RuleCount& c) { return c.last <= e.now_s - kWindowSeconds; }),
           rs.end());
  if (e.top_rule.empty() || e.content == ContentOutcome::kClean) return;
  for (RuleCount& c : rs) {
    if (c.name == e.top_rule) {
      c.hits += 1;
      c.last = std::max(c.last, e.now_s);
      return;
    }
  }
  if (rs.size() >= kMaxRules) {
    rs.erase(std::min_element(rs.begin(), rs.end(), [](const RuleCount& a, const RuleCount& b) { return a.last < b.last; }));
  }
  rs.push_back({e.top_rule, 1, e.now_s});
}

Bucket* BucketFor(Record* r, int64_t now) {
  int64_t start = now - now % kBucketSeconds;
  auto& bs = r->buckets;
  bs.erase(std::remove_if(bs.begin(), bs.end(), [&](const Bucket& b) { return b.start <= now - kWindowSeconds; }),
           bs.end());
  for (Bucket& b : bs) {
    if (b.start == start) return &b;
  }
  if (start <= now - kWindowSeconds) return nullptr;
  Bucket fresh;
  fresh.start = start;
  bs.push_back(fresh);
  std::sort(bs.begin(), bs.end(), [](const Bucket& a, const Bucket& b) { return a.start < b.start; });
  for (Bucket& b : bs) {
    if (b.start == start) return &b;
  }
  return nullptr;
}

void CountInto(Bucket* b, const MessageEvent& e) {
  b->messages += 1;
  b->recipients += static_cast<int64_t>(e.recipients.size());
  b->tagged += e.content == ContentOutcome::kTagged;
  b->quarantined += e.content == ContentOutcome::kQuarantined;
  b->rejected += e.content == ContentOutcome::kRejected;
  b->sender_refusals += e.sender_refused;
  b->quota_hits += e.quota_hits;
}

void KeepLast(std::vector<std::string>* list, const std::string& item, size_t cap) {
  if (item.empty()) return;
  list->push_back(item);
  if (list->size() > cap) list->erase(list->begin(), list->begin() + (list->size() - cap));
}


}  // namespace

uint32_t HashOf(const std::string& s) {
  uint32_t h = 2166136261u;
  for (char c : Lower(s)) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kNone: return "none";
    case Level::kThrottled: return "throttle";
    case Level::kHeld: return "hold";
    case Level::kSuspended: return "suspend";
  }
  return "none";
}

bool ParseLevel(const std::string& name, Level* out) {
  for (Level l : {Level::kNone, Level::kThrottled, Level::kHeld, Level::kSuspended}) {
    if (name == LevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

void Observe(Record* r, const MessageEvent& e) {
  RollBaseline(r, e.now_s);
  RollDay(r, e.now_s);
  Bucket* b = BucketFor(r, e.now_s);
  if (b == nullptr) return;  // older than the window
  CountInto(b, e);
  CountHour(r, e);
  CountRule(r, e);
  r->baseline.day_messages += 1;
  r->baseline.day_recipients += static_cast<int64_t>(e.recipients.size());
  if (r->state.level != Level::kNone) r->baseline.day_restricted = true;
  for (const std::string& rcpt : e.recipients) {
    Touch(&r->recipients, HashOf(rcpt), e.now_s, kMaxRecipients);
    Touch(&r->domains, HashOf(DomainOf(rcpt)), e.now_s, kMaxDomains);
  }
  if (!e.client_ip.empty()) Touch(&r->addresses, HashOf(e.client_ip), e.now_s, kMaxAddresses);
  // Recipients are kept two windows: the baseline counts last hour's.
  Forget(&r->recipients, e.now_s - 2 * kWindowSeconds);
  Forget(&r->domains, e.now_s - kWindowSeconds);
  Forget(&r->addresses, e.now_s - kWindowSeconds);
  r->baseline.hour_messages += 1;
  if (r->state.level != Level::kNone) r->baseline.hour_restricted = true;
  KeepLast(&r->evidence, e.queue_id, kMaxEvidence);
  if (e.held) KeepLast(&r->held, e.queue_id, kMaxHeld);
  if (e.decision.at != 0) AddDecision(&r->decisions, e.decision);
}

Signals Measure(const Record& r, int64_t now) {
  Signals s;
  for (const Bucket& b : r.buckets) {
    if (b.start <= now - kWindowSeconds) continue;
    s.messages += b.messages;
    s.recipients += b.recipients;
    s.content_tagged += b.tagged;
    s.content_quarantined += b.quarantined;
    s.content_rejected += b.rejected;
    s.sender_refusals += b.sender_refusals;
    s.quota_hits += b.quota_hits;
  }
  s.distinct_recipients = CountSince(r.recipients, now - kWindowSeconds);
  s.distinct_domains = CountSince(r.domains, now - kWindowSeconds);
  s.client_addresses = CountSince(r.addresses, now - kWindowSeconds);
  s.baseline_messages = r.baseline.messages_per_hour;
  s.baseline_recipients = r.baseline.recipients_per_hour;
  s.baseline_hours = r.baseline.active_hours;
  for (const HourCount& h : r.hours) {
    if (h.start <= now - kDaySeconds) continue;
    s.messages_24h += h.messages;
    s.recipients_24h += h.recipients;
  }
  s.baseline_day_messages = r.baseline.messages_per_day;
  s.baseline_day_recipients = r.baseline.recipients_per_day;
  s.baseline_days = r.baseline.active_days;
  for (const RuleCount& c : r.rules) {
    if (c.last <= now - kWindowSeconds || c.hits <= s.top_rule_hits) continue;
    s.top_rule = c.name;
    s.top_rule_hits = c.hits;
  }
  return s;
}

double FoldHour(double baseline, double sample, int64_t learned_hours) {
  double weight = std::max(kBaselineAlpha, 1.0 / static_cast<double>(learned_hours + 1));
  return baseline * (1 - weight) + sample * weight;
}

double FoldDay(double baseline, double sample, int64_t learned_days) {
  double weight = std::max(kDayAlpha, 1.0 / static_cast<double>(learned_days + 1));
  return baseline * (1 - weight) + sample * weight;
}

void AddHistory(Record* r, HistoryEntry entry) {
  r->history.push_back(std::move(entry));
  if (r->history.size() > kMaxHistory) r->history.erase(r->history.begin());
}

bool TakeHeld(Record* r, const std::string& queue_id) {
  auto it = std::find(r->held.begin(), r->held.end(), queue_id);
  if (it == r->held.end()) return false;
  r->held.erase(it);
  return true;
}

void SeedBaseline(Record* r, const BaselineSeed& seed) {
  r->baseline.messages_per_hour = seed.messages_per_hour;
  r->baseline.recipients_per_hour = seed.recipients_per_hour;
  r->baseline.active_hours = seed.hours;
  r->baseline.messages_per_day = seed.messages_per_day;
  r->baseline.recipients_per_day = seed.recipients_per_day;
  r->baseline.active_days = seed.days;
}

std::string SignalsText(const Signals& s) {
  std::ostringstream o;
  o << "messages=" << s.messages << " recipients=" << s.recipients
    << " distinct_recipients=" << s.distinct_recipients << " distinct_domains=" << s.distinct_domains
    << " client_addresses=" << s.client_addresses << " content_rejected=" << s.content_rejected
    << " content_quarantined=" << s.content_quarantined << " content_tagged=" << s.content_tagged
    << " sender_refusals=" << s.sender_refusals << " quota_hits=" << s.quota_hits;
  o << " messages_24h=" << s.messages_24h << " recipients_24h=" << s.recipients_24h
    << " top_rule=" << (s.top_rule.empty() ? "-" : s.top_rule) << " top_rule_hits=" << s.top_rule_hits;
  char base[192];
  snprintf(base, sizeof(base), " baseline_messages=%.1f baseline_recipients=%.1f baseline_day_messages=%.1f"
           " baseline_day_recipients=%.1f", s.baseline_messages, s.baseline_recipients, s.baseline_day_messages,
           s.baseline_day_recipients);
  return o.str() + base;
}

std::string Encode(const Record& r) {
  std::ostringstream o;
  o << "sgabuse 1\n";
  for (const Bucket& b : r.buckets) {
    o << "b " << b.start << ' ' << b.messages << ' ' << b.recipients << ' ' << b.tagged << ' ' << b.quarantined
      << ' ' << b.rejected << ' ' << b.sender_refusals << ' ' << b.quota_hits << '\n';
  }
  for (const auto& [tag, set] : {std::pair<char, const std::vector<Seen>*>{'r', &r.recipients},
                                 {'d', &r.domains}, {'a', &r.addresses}}) {
    for (const Seen& s : *set) o << tag << ' ' << s.hash << ' ' << s.last << '\n';
  }
  for (const HourCount& h : r.hours) o << "h " << h.start << ' ' << h.messages << ' ' << h.recipients << '\n';
  for (const RuleCount& c : r.rules) o << "rule " << Esc(c.name) << ' ' << c.hits << ' ' << c.last << '\n';
  const Baseline& bl = r.baseline;
  char base[320];
  snprintf(base, sizeof(base), "base %.6f %.6f %lld %lld %lld %d\nday %.6f %.6f %lld %lld %lld %lld %d\n",
           bl.messages_per_hour, bl.recipients_per_hour, static_cast<long long>(bl.active_hours),
           static_cast<long long>(bl.hour_start), static_cast<long long>(bl.hour_messages), bl.hour_restricted ? 1 : 0,
           bl.messages_per_day, bl.recipients_per_day, static_cast<long long>(bl.active_days),
           static_cast<long long>(bl.day_start), static_cast<long long>(bl.day_messages),
           static_cast<long long>(bl.day_recipients), bl.day_restricted ? 1 : 0);
  o << base;
  const State& st = r.state;
  o << "state " << LevelName(st.level) << ' ' << st.until << ' ' << st.offences << ' ' << st.last_alert << ' '
    << Esc(st.condition) << ' ' << Esc(st.reason) << '\n';
  for (const HistoryEntry& h : r.history) {
    o << "hist " << h.at << ' ' << Esc(h.what) << ' ' << Esc(h.condition) << ' ' << Esc(h.by) << ' '
      << Esc(h.detail) << '\n';
  }
  for (const std::string& q : r.evidence) o << "ev " << Esc(q) << '\n';
  for (const std::string& q : r.held) o << "held " << Esc(q) << '\n';
  for (const std::string& d : r.decisions) o << "dec " << d << '\n';
  return o.str();
}

namespace {

bool DecodeLine(const std::vector<std::string>& t, Record* r) {
  const std::string& k = t[0];
  auto num = [&](size_t i, int64_t* v) { return i < t.size() && sscanf(t[i].c_str(), "%lld", reinterpret_cast<long long*>(v)) == 1; };
  if (k == "b" && t.size() == 9) {
    Bucket b;
    return num(1, &b.start) && num(2, &b.messages) && num(3, &b.recipients) && num(4, &b.tagged) &&
           num(5, &b.quarantined) && num(6, &b.rejected) && num(7, &b.sender_refusals) && num(8, &b.quota_hits) &&
           (r->buckets.push_back(b), true);
  }
  if ((k == "r" || k == "d" || k == "a") && t.size() == 3) {
    int64_t h = 0, last = 0;
    if (!num(1, &h) || !num(2, &last) || h < 0 || h > 0xffffffffLL) return false;
    (k == "r" ? r->recipients : k == "d" ? r->domains : r->addresses).push_back({static_cast<uint32_t>(h), last});
    return true;
  }
  if (k == "base" && t.size() == 7) {
    Baseline& b = r->baseline;
    int64_t restricted = 0;
    return sscanf(t[1].c_str(), "%lf", &b.messages_per_hour) == 1 && sscanf(t[2].c_str(), "%lf", &b.recipients_per_hour) == 1 &&
           num(3, &b.active_hours) && num(4, &b.hour_start) && num(5, &b.hour_messages) && num(6, &restricted) &&
           ((b.hour_restricted = restricted != 0), true);
  }
  if (k == "day" && t.size() == 8) {
    Baseline& b = r->baseline;
    int64_t restricted = 0;
    return sscanf(t[1].c_str(), "%lf", &b.messages_per_day) == 1 && sscanf(t[2].c_str(), "%lf", &b.recipients_per_day) == 1 &&
           num(3, &b.active_days) && num(4, &b.day_start) && num(5, &b.day_messages) && num(6, &b.day_recipients) &&
           num(7, &restricted) && ((b.day_restricted = restricted != 0), true);
  }
  if (k == "h" && t.size() == 4) {
    HourCount h;
    return num(1, &h.start) && num(2, &h.messages) && num(3, &h.recipients) && (r->hours.push_back(h), true);
  }
  if (k == "rule" && t.size() == 4) {
    RuleCount c;
    return Unesc(t[1], &c.name) && num(2, &c.hits) && num(3, &c.last) && (r->rules.push_back(c), true);
  }
  if (k == "state" && t.size() == 7) {
    State& s = r->state;
    return ParseLevel(t[1], &s.level) && num(2, &s.until) && num(3, &s.offences) && num(4, &s.last_alert) &&
           Unesc(t[5], &s.condition) && Unesc(t[6], &s.reason);
  }
  if (k == "hist" && t.size() == 6) {
    HistoryEntry h;
    return num(1, &h.at) && Unesc(t[2], &h.what) && Unesc(t[3], &h.condition) && Unesc(t[4], &h.by) &&
           Unesc(t[5], &h.detail) && (r->history.push_back(h), true);
  }
  std::string q;
  if ((k == "ev" || k == "held") && t.size() == 2 && Unesc(t[1], &q)) {
    (k == "ev" ? r->evidence : r->held).push_back(q);
    return true;
  }
  return false;
}

}  // namespace

Result<Record> Decode(const std::string& text) {
  Record r;
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "sgabuse 1") return Status::InvalidArgument("abuse record: unknown format");
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    if (line.compare(0, 4, "dec ") == 0) {
      r.decisions.push_back(line.substr(4));
      continue;
    }
    std::vector<std::string> tokens = SplitWords(line);
    if (tokens.empty() || !DecodeLine(tokens, &r)) {
      return Status::InvalidArgument("abuse record: line " + std::to_string(n) + " is not understood");
    }
  }
  return r;
}

}  // namespace sendguard::abuse

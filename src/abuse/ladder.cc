// abuse/ladder.cc — expiry, conditions, escalation.
#include "abuse/ladder.h"

#include <algorithm>

namespace sendguard::abuse {
namespace {

bool Holds(const Condition& c, const Signals& s, const AbusePolicy& p) {
  double value = static_cast<double>(SignalValue(s, c.signal));
  if (value < static_cast<double>(c.at_least)) return false;
  if (c.baseline_factor <= 0) return true;
  bool by_recipients = c.signal == Signal::kRecipients || c.signal == Signal::kDistinctRecipients ||
                       c.signal == Signal::kRecipients24h;
  bool daily = c.signal == Signal::kMessages24h || c.signal == Signal::kRecipients24h;
  double learned, fallback;
  bool known;
  if (daily) {
    learned = by_recipients ? s.baseline_day_recipients : s.baseline_day_messages;
    fallback = by_recipients ? p.default_recipients_per_day : p.default_messages_per_day;
    known = s.baseline_days > 0;
  } else {
    learned = by_recipients ? s.baseline_recipients : s.baseline_messages;
    fallback = by_recipients ? p.default_recipients_per_hour : p.default_messages_per_hour;
    known = s.baseline_hours > 0;
  }
  double baseline = known ? std::max(learned, 1.0) : fallback;
  return value >= c.baseline_factor * baseline;
}

Level Above(Level level) {
  return level == Level::kSuspended ? Level::kSuspended : static_cast<Level>(static_cast<int>(level) + 1);
}

// The level an action asks for, from `current` (notify: none).
Level Wanted(Action a, Level current) {
  switch (a) {
    case Action::kNotify: return Level::kNone;
    case Action::kThrottle: return Level::kThrottled;
    case Action::kHold: return Level::kHeld;
    case Action::kSuspend: return Level::kSuspended;
    case Action::kEscalate: return Above(current);
  }
  return Level::kNone;
}

void Lapse(Record* r, int64_t now, Change* change) {
  State& st = r->state;
  if (st.level == Level::kNone || st.until == 0 || st.until > now) return;
  change->level_changed = true;
  change->from = st.level;
  change->to = Level::kNone;
  change->what = "expire";
  AddHistory(r, {now, "expire", st.condition, "auto", std::string(LevelName(st.level)) + " ended"});
  st.level = Level::kNone;
  st.until = 0;
}

void Restrict(Record* r, const AbusePolicy& p, Level level, const std::string& condition, int64_t now,
              Change* change) {
  State& st = r->state;
  ++st.offences;
  auto d = p.durations.find(level);
  bool manual = p.manual_release_after > 0 && st.offences >= p.manual_release_after;
  change->level_changed = true;
  change->from = st.level;
  change->to = level;
  change->what = LevelName(level);
  change->condition = condition;
  change->until = manual || d == p.durations.end() ? 0 : now + d->second;
  change->notify = true;
  st.level = level;
  st.until = change->until;
  st.condition = condition;
  st.reason = SignalsText(change->signals);
  st.last_alert = now;
  AddHistory(r, {now, change->what, condition, "auto",
                 (manual ? "until released by hand; " : "") + st.reason});
}

}  // namespace

Level EffectiveLevel(const Record& r, int64_t now) {
  if (r.state.level != Level::kNone && r.state.until != 0 && r.state.until <= now) return Level::kNone;
  return r.state.level;
}

Change Evaluate(Record* r, const AbusePolicy& p, int64_t now, bool exempt, const std::string& quota_class) {
  Change change;
  change.signals = Measure(*r, now);
  Lapse(r, now, &change);
  Level strongest = Level::kNone;
  std::string fired;
  for (const Condition* c : p.ConditionsFor(quota_class)) {
    if (!Holds(*c, change.signals, p)) continue;
    Level wanted = exempt ? Level::kNone : Wanted(c->action, r->state.level);
    if (fired.empty() || wanted > strongest) {
      strongest = wanted;
      fired = c->name;
    }
  }
  if (fired.empty()) return change;
  if (strongest > r->state.level) {
    Restrict(r, p, strongest, fired, now, &change);
    return change;
  }
  if (now - r->state.last_alert >= p.alert_interval) {
    r->state.last_alert = now;
    change.notify = true;
    change.what = "notify";
    change.condition = fired;
    AddHistory(r, {now, "notify", fired, "auto", SignalsText(change.signals)});
  }
  return change;
}

Change Suspend(Record* r, Level level, int64_t now, int64_t until, const std::string& reason, const std::string& by) {
  Change change;
  change.signals = Measure(*r, now);
  change.level_changed = level != r->state.level;
  change.from = r->state.level;
  change.to = level;
  change.what = LevelName(level);
  change.condition = "manual";
  change.until = until;
  change.notify = true;
  r->state.level = level;
  r->state.until = until;
  r->state.condition = "manual";
  r->state.reason = reason;
  AddHistory(r, {now, change.what, "manual", by, reason});
  return change;
}

Change Release(Record* r, int64_t now, const std::string& by) {
  Change change;
  change.signals = Measure(*r, now);
  change.level_changed = r->state.level != Level::kNone;
  change.from = r->state.level;
  change.to = Level::kNone;
  change.what = "release";
  change.condition = "manual";
  r->state.level = Level::kNone;
  r->state.until = 0;
  r->held.clear();
  AddHistory(r, {now, "release", "manual", by, ""});
  return change;
}

}  // namespace sendguard::abuse

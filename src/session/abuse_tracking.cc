// session/abuse_tracking.cc — the session's side of compromised-account
// detection: the identity's state is read at MAIL FROM (suspended: refused;
// held: the message goes to the hold queue; throttled: a stricter quota
// class), and every finished message is added to its signals, which may move
// it up the ladder (abuse/ladder.h). A store that cannot answer never
// refuses mail on its own: the state is then unknown and the message goes
// on (the quota check, with its own outage policy, still applies).
#include <unistd.h>

#include "abuse/alert.h"
#include "abuse/ladder.h"
#include "core/log.h"
#include "core/strings.h"
#include "metrics/metrics.h"
#include "session/message_state.h"
#include "session/session.h"

namespace sendguard {
namespace {

std::string AbuseKey(const Identity& id) { return "a:" + id.ToString(); }

std::string QuotaClassOf(const quota::MessageQuota* q) {
  return q && q->quota_class() ? q->quota_class()->name : "";
}

std::string Address(std::string a) {
  if (!a.empty() && a.front() == '<') a.erase(0, 1);
  if (!a.empty() && a.back() == '>') a.pop_back();
  return a;
}

// The audit line: every automatic change of an identity's state.
void LogChange(const std::string& identity, const abuse::Change& c, const std::string& queue_id) {
  if (!c.level_changed && !c.notify) return;
  SG_LOG(kWarning) << "abuse: identity=" << identity << " action=" << c.what << " condition=" << (c.condition.empty() ? "-" : c.condition)
      << " from=" << abuse::LevelName(c.from) << " to=" << abuse::LevelName(c.to)
      << " until=" << (c.to == abuse::Level::kNone ? std::string("-") : c.until == 0 ? "manual" : std::to_string(c.until))
      << " evidence=" << (queue_id.empty() ? "NOQUEUE" : queue_id) << " " << abuse::SignalsText(c.signals);
}

std::string RelayName() {
  char host[256] = {0};
  return gethostname(host, sizeof(host) - 1) == 0 ? host : "unknown";
}

// Queues the webhook alert of a change (a file in the outbox; the network is
// the outbox sender's business, never a milter thread's).
void Alert(const Snapshot& snap, const std::string& identity, const abuse::Change& c, const abuse::Record& r,
           int64_t now) {
  if (!(c.notify || c.level_changed) || snap.config.abuse.webhook_url.empty()) return;
  notify::Alert alert{abuse::AlertId(identity, SteadyNowMicros() ^ (now << 20)),
                      abuse::AlertJson(identity, c, r, RelayName(), now)};
  Status s = notify::Enqueue(WebhookOptionsOf(snap), alert);
  if (!s.ok()) SG_LOG(kError) << "abuse: alert for " << identity << " not queued: " << s.ToString();
}

void AlertMail(const Snapshot& snap, const Runtime& runtime, const std::string& identity, const abuse::Change& c,
               const abuse::Record& r) {
  if (!(c.notify || c.level_changed) || snap.config.abuse.alert_mail_to.empty() || !runtime.send_alert_mail) return;
  runtime.send_alert_mail(abuse::AlertMailSubject(identity, c), abuse::AlertMailBody(identity, c, r, RelayName()));
}

}  // namespace

bool IsOwnAlertMail(const Config& c, const Identity& id, const std::string& sender) {
  return !c.abuse.alert_mail_from.empty() && id.kind == Identity::Kind::kTrustedAddress &&
         EqualsIgnoreCase(Address(sender), c.abuse.alert_mail_from);
}

Verdict Session::CheckAbuse() {
  Message& m = *message_;
  const Snapshot& snap = *m.snapshot;
  if (!snap.abuse || runtime_ == nullptr || !runtime_->quota_store || m.identity.kind == Identity::Kind::kUntrusted) {
    return Verdict::Continue();
  }
  Result<std::string> stored = runtime_->quota_store->GetRecord(AbuseKey(m.identity));
  if (!stored.ok()) {
    SG_LOG(kWarning) << "abuse: state of " << m.identity.ToString() << " unknown: " << stored.status().ToString();
    m.abuse_note = "unknown";
    return Verdict::Continue();
  }
  Result<abuse::Record> record = stored->empty() ? abuse::Record() : abuse::Decode(*stored);
  int64_t now = runtime_->clock->NowSeconds();
  m.abuse_level = record.ok() ? abuse::EffectiveLevel(*record, now) : abuse::Level::kNone;
  m.abuse_note = abuse::LevelName(m.abuse_level);
  switch (m.abuse_level) {
    case abuse::Level::kSuspended:
      SG_LOG(kInfo) << "abuse: " << m.identity.ToString() << " is suspended; refused at MAIL FROM";
      return Verdict::Reject(snap.abuse->suspend_reply);
    case abuse::Level::kHeld:
      m.hold_reason = "sendguard: account held for review (abuse: " + record->state.condition + ")";
      break;
    case abuse::Level::kThrottled:
      if (m.quota && !snap.abuse->throttle_class.empty()) m.quota->ForceClass(snap.abuse->throttle_class);
      else m.hold_reason = "sendguard: account throttled, held for review";
      break;
    case abuse::Level::kNone:
      break;
  }
  return Verdict::Continue();
}

void Session::RecordAbuse(const EndOfMessage& result) {
  Message& m = *message_;
  abuse::MessageEvent e;
  e.now_s = runtime_ ? runtime_->clock->NowSeconds() : 0;
  for (const std::string& r : m.recipients) e.recipients.push_back(Lower(Address(r)));
  e.client_ip = m.client_addr;
  e.accepted = !result.verdict.IsRefusal();
  e.held = e.accepted && !result.quarantine_reason.empty();
  e.content = m.content_outcome;
  e.top_rule = m.top_rule;
  e.sender_refused = m.sender_refused;
  e.quota_hit = m.quota_hit;
  e.queue_id = m.queue_id;
  SaveAbuseEvent(e);
}

void Session::RecordRefusedRecipient(const std::string& recipient) {
  abuse::MessageEvent e;
  e.now_s = runtime_ ? runtime_->clock->NowSeconds() : 0;
  e.recipients.push_back(Lower(Address(recipient)));
  e.client_ip = message_->client_addr;
  e.quota_hit = true;
  SaveAbuseEvent(e);
}

// One atomic update of the identity's record: add the event, then let the
// ladder decide. The update may run again on a concurrent change (Redis), so
// only its last run's change is logged.
void Session::SaveAbuseEvent(const abuse::MessageEvent& e) {
  Message& m = *message_;
  const Snapshot& snap = *m.snapshot;
  if (!snap.abuse || runtime_ == nullptr || !runtime_->quota_store || m.identity.kind == Identity::Kind::kUntrusted ||
      m.own_alert) {
    return;
  }
  bool exempt = snap.abuse->Exempt(m.identity.ToString(), QuotaClassOf(m.quota.get()));
  abuse::Change change;
  abuse::Record saved_record;
  Result<std::string> saved = runtime_->quota_store->UpdateRecord(AbuseKey(m.identity), [&](const std::string& stored) {
    Result<abuse::Record> r = stored.empty() ? abuse::Record() : abuse::Decode(stored);
    abuse::Record record = r.ok() ? *r : abuse::Record();  // unreadable: start again
    abuse::Observe(&record, e);
    change = abuse::Evaluate(&record, *snap.abuse, e.now_s, exempt, QuotaClassOf(m.quota.get()));
    saved_record = record;
    return abuse::Encode(record);
  });
  if (!saved.ok()) {
    SG_LOG(kWarning) << "abuse: cannot record a message of " << m.identity.ToString() << ": " << saved.status().ToString();
    return;
  }
  LogChange(m.identity.ToString(), change, e.queue_id);
  if (change.level_changed || change.notify) metrics::Count(metrics::Family::kAbuseActions, {change.what});
  Alert(snap, m.identity.ToString(), change, saved_record, e.now_s);
  AlertMail(snap, *runtime_, m.identity.ToString(), change, saved_record);
  if (change.level_changed) m.abuse_note = std::string(abuse::LevelName(change.to)) + "(" + change.condition + ")";
}

}  // namespace sendguard

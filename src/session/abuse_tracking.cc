// session/abuse_tracking.cc — the session's side of compromised-account
// detection: the identity's state is read at MAIL FROM (suspended: refused;
// held: the message goes to the hold queue; throttled: a stricter quota
// class), and every finished transaction is added to its signals, which may
// move it up the ladder (abuse/ladder.h). The record is read with the class
// override and written with the quota commit or release, so tracking costs
// no store round trip of its own unless another message of the identity
// changed the record in between. A store that cannot answer never refuses
// mail on its own: the state is then unknown and the message goes on (the
// quota check, with its own outage policy, still applies).

#include <algorithm>

#include "abuse/alert.h"
#include "abuse/audit.h"
#include "abuse/ladder.h"
#include "core/log.h"
#include "core/strings.h"
#include "metrics/metrics.h"
#include "session/audit_log.h"
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

// The audit entry: every automatic change of an identity's state, with the
// message that made it as evidence.
void AuditChange(const std::string& identity, const abuse::Change& c, const std::string& queue_id, int64_t now) {
  if (!c.level_changed && !c.notify) return;
  abuse::AuditEntry entry = abuse::FromChange(identity, c, now, abuse::kAutomatic);
  entry.queue_ids = {queue_id.empty() ? "NOQUEUE" : queue_id};
  Audit(entry);
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

bool Session::TracksAbuse() const {
  const Message& m = *message_;
  return m.snapshot->abuse && runtime_ != nullptr && runtime_->quota_store &&
         m.identity.kind != Identity::Kind::kUntrusted && !m.own_alert;
}

// Reads the identity's record — with its class override, in the same store
// round trip, when the message is counted — and applies its state.
Verdict Session::CheckAbuse() {
  Message& m = *message_;
  const Snapshot& snap = *m.snapshot;
  if (!TracksAbuse()) return Verdict::Continue();
  quota::QuotaStore& store = *runtime_->quota_store;
  Result<quota::StoredRecord> stored = quota::StoredRecord();
  if (m.quota) {
    Result<quota::IdentityView> view = store.ReadIdentity(m.quota->identity_name(), AbuseKey(m.identity));
    if (view.ok()) m.quota->UseOverride(view->override_class);
    stored = view.ok() ? Result<quota::StoredRecord>(view->record) : view.status();
  } else {
    stored = store.ReadRecord(AbuseKey(m.identity));
  }
  if (!stored.ok()) {
    SG_LOG(kWarning) << "abuse: state of " << m.identity.ToString() << " unknown: " << stored.status().ToString();
    m.abuse_note = "unknown";
    return Verdict::Continue();
  }
  m.abuse_record = *stored;
  Result<abuse::Record> record = stored->bytes.empty() ? abuse::Record() : abuse::Decode(stored->bytes);
  int64_t now = runtime_->clock->NowSeconds();
  m.abuse_level = record.ok() ? abuse::EffectiveLevel(*record, now) : abuse::Level::kNone;
  m.abuse_note = abuse::LevelName(m.abuse_level);
  switch (m.abuse_level) {
    case abuse::Level::kSuspended:
      SG_LOG(kInfo) << "abuse: " << m.identity.ToString() << " is suspended; refused at MAIL FROM";
      m.abuse_saved = true;  // a refused MAIL FROM is not a message of its
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

// The message as the signals count it: `result` null for a transaction that
// ended without DATA (its quota-refused recipients are still attempts).
abuse::MessageEvent Session::AbuseEventOf(const EndOfMessage* result) const {
  const Message& m = *message_;
  abuse::MessageEvent e;
  e.now_s = runtime_->clock->NowSeconds();
  if (result) {
    for (const std::string& r : m.recipients) e.recipients.push_back(Lower(Address(r)));
  }
  for (const std::string& r : m.refused_recipients) e.recipients.push_back(Lower(Address(r)));
  e.client_ip = m.client_addr;
  e.accepted = result && !result->verdict.IsRefusal();
  e.held = e.accepted && !result->quarantine_reason.empty();
  e.content = m.content_outcome;
  e.top_rule = m.top_rule;
  e.sender_refused = m.sender_refused;
  e.quota_hits = static_cast<int64_t>(m.refused_recipients.size()) + (m.quota_hit && m.refused_recipients.empty());
  e.queue_id = m.queue_id;
  if (result) e.decision = DecisionOf(*result, e.now_s);
  return e;
}

// The decision as the account page shows it (abuse/decisions.h): kept in
// the record, so it costs bytes in the write the message makes anyway.
abuse::Decision Session::DecisionOf(const EndOfMessage& result, int64_t now_s) const {
  const Message& m = *message_;
  DecisionOutcomes o = Outcomes(result);
  abuse::Decision d;
  d.at = now_s;
  d.queue_id = m.queue_id;
  d.from = Address(m.sender);
  d.recipient_count = static_cast<int64_t>(m.recipients.size());
  for (size_t i = 0; i < m.recipients.size() && i < abuse::kMaxDecisionRecipients; ++i) {
    d.recipients.push_back(Address(m.recipients[i]));
  }
  d.action = o.action;
  d.checks = "quota=" + o.quota + " sender=" + o.sender + " content=" + o.content + " spf=" + o.spf +
             " dkim=" + o.dkim + " abuse=" + o.abuse;
  d.score = m.score;
  d.rules.assign(m.rule_names.begin(), m.rule_names.begin() + std::min(m.rule_names.size(), abuse::kMaxDecisionRules));
  d.hold_reason = result.quarantine_reason;
  d.reply = result.verdict.reply.empty() ? "" : result.verdict.reply.ToString();
  return d;
}

namespace {

struct Applied {
  std::string bytes;
  abuse::Change change;
  abuse::Record record;
};

// The identity's record after `e`: the event added, then the ladder's say.
Applied ApplyEvent(const std::string& stored, const abuse::MessageEvent& e, const abuse::AbusePolicy& policy,
                   bool exempt, const std::string& quota_class) {
  Result<abuse::Record> r = stored.empty() ? abuse::Record() : abuse::Decode(stored);
  Applied out;
  out.record = r.ok() ? *r : abuse::Record();  // unreadable: start again
  abuse::Observe(&out.record, e);
  out.change = abuse::Evaluate(&out.record, policy, e.now_s, exempt, quota_class);
  out.bytes = abuse::Encode(out.record);
  return out;
}

}  // namespace

// The write of this message's event, computed from the record read at MAIL
// FROM, for the quota commit or release to carry (null: none to fold).
quota::RecordWrite* Session::PrepareAbuseWrite(const EndOfMessage& result) {
  Message& m = *message_;
  if (!TracksAbuse() || m.abuse_saved || !m.abuse_record) return nullptr;
  m.abuse_event = AbuseEventOf(&result);
  Applied a = ApplyEvent(m.abuse_record->bytes, m.abuse_event, *m.snapshot->abuse,
                         m.snapshot->abuse->Exempt(m.identity.ToString(), QuotaClassOf(m.quota.get())),
                         QuotaClassOf(m.quota.get()));
  m.abuse_change = std::move(a.change);
  m.abuse_next = std::move(a.record);
  m.abuse_write = quota::RecordWrite();
  m.abuse_write.key = AbuseKey(m.identity);
  m.abuse_write.expected = m.abuse_record->version;
  m.abuse_write.bytes = std::move(a.bytes);
  return &m.abuse_write;
}

// Records this message's event: done when the folded write went through;
// otherwise one conditional write (nothing to fold it into), or an update
// from what the store holds now (another message changed it meanwhile, or it
// was unknown at MAIL FROM). Then the audit line and the alerts of the change.
void Session::FinishAbuseWrite(const EndOfMessage* result) {
  Message& m = *message_;
  if (!TracksAbuse() || m.abuse_saved) return;
  m.abuse_saved = true;
  const Snapshot& snap = *m.snapshot;
  quota::QuotaStore& store = *runtime_->quota_store;
  quota::RecordWrite& w = m.abuse_write;
  // A write not done was not folded (or its commit failed): the event is
  // the final result's.
  abuse::MessageEvent e = w.done ? m.abuse_event : AbuseEventOf(result);
  bool exempt = snap.abuse->Exempt(m.identity.ToString(), QuotaClassOf(m.quota.get()));
  std::string quota_class = QuotaClassOf(m.quota.get());
  Applied final;
  Status st;
  if (m.abuse_record && !w.done) {
    final = ApplyEvent(m.abuse_record->bytes, e, *snap.abuse, exempt, quota_class);
    w = quota::RecordWrite();
    w.key = AbuseKey(m.identity);
    w.expected = m.abuse_record->version;
    w.bytes = final.bytes;
    st = store.WriteRecord(&w);
  } else if (w.done && w.written) {
    final.change = std::move(m.abuse_change);
    final.record = std::move(m.abuse_next);
  }
  if (st.ok() && !(w.done && w.written)) {
    const quota::StoredRecord* known = w.done ? &w.current : nullptr;
    Result<std::string> saved = store.UpdateRecordFrom(AbuseKey(m.identity), [&](const std::string& stored) {
      final = ApplyEvent(stored, e, *snap.abuse, exempt, quota_class);
      return final.bytes;
    }, known);
    st = saved.status();
  }
  if (!st.ok()) {
    SG_LOG(kWarning) << "abuse: cannot record a message of " << m.identity.ToString() << ": " << st.ToString();
    return;
  }
  AuditChange(m.identity.ToString(), final.change, e.queue_id, e.now_s);
  if (final.change.level_changed || final.change.notify) metrics::Count(metrics::Family::kAbuseActions, {final.change.what});
  Alert(snap, m.identity.ToString(), final.change, final.record, e.now_s);
  AlertMail(snap, *runtime_, m.identity.ToString(), final.change, final.record);
  if (final.change.level_changed) {
    m.abuse_note = std::string(abuse::LevelName(final.change.to)) + "(" + final.change.condition + ")";
  }
}

// Quota-refused recipients count at the end of the transaction, with its
// message if there is one: no store round trip of their own.
void Session::RecordRefusedRecipient(const std::string& recipient) {
  constexpr size_t kMaxRefused = 1000;
  if (message_->refused_recipients.size() < kMaxRefused) message_->refused_recipients.push_back(recipient);
}

}  // namespace sendguard

// session/message_state.h — what a Session knows about the message in
// flight (internal to the session module).
//
// Thread-safety: owned by one Session, used by one thread at a time.
#ifndef SENDGUARD_SESSION_MESSAGE_STATE_H_
#define SENDGUARD_SESSION_MESSAGE_STATE_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dkim/message_signer.h"
#include "quota/message_quota.h"
#include "abuse/ladder.h"
#include "abuse/signals.h"
#include "sender/sender_policy.h"
#include "session/identity.h"
#include "session/session.h"
#include "session/snapshot.h"

namespace sendguard {

struct Session::Message {
  std::shared_ptr<const Snapshot> snapshot;
  Identity identity;
  std::string login;                  // {auth_authen} as sent
  std::string client_addr;
  std::string client_port;            // {client_port} / client_port, for the policy tie
  std::string sender;                 // MAIL FROM as sent, e.g. "<a@b>"
  std::string queue_id;               // Postfix {i}, known at end of message
  // For this handover's Received line (decide.cc): j and TLS at MAIL FROM.
  std::string mta_name;
  bool tls = false;
  std::vector<std::string> recipients;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  size_t header_bytes = 0;
  size_t body_bytes = 0;
  std::string scan_text;              // headers + body, up to the scan limit (+1)

  std::unique_ptr<quota::MessageQuota> quota;  // null: not counted
  std::string hold_reason;                     // quarantine requested by quota
  std::string quota_note;                      // for the decision log

  bool sender_checked = false;
  sender::SenderCheck sender_check;
  std::string from_domain;

  std::unique_ptr<dkim::MessageSigner> signer;  // null: not signed
  Status signer_error;                          // first error while feeding it

  // For the abuse signals (abuse/signals.h).
  abuse::ContentOutcome content_outcome = abuse::ContentOutcome::kClean;
  std::string top_rule;
  bool sender_refused = false;
  bool quota_hit = false;
  std::vector<std::string> refused_recipients;  // by the quota, capped
  // The identity's record as read at MAIL FROM (unset: abuse off or the
  // store could not answer), and the write of this message's event, folded
  // into the quota commit or release.
  std::optional<quota::StoredRecord> abuse_record;
  quota::RecordWrite abuse_write;
  abuse::MessageEvent abuse_event;  // what abuse_write adds
  abuse::Change abuse_change;       // and what it changes
  abuse::Record abuse_next;
  bool abuse_saved = false;  // this message's event is recorded (or cannot be)
  abuse::Level abuse_level = abuse::Level::kNone;  // at MAIL FROM
  std::string abuse_note = "off";
  bool own_alert = false;  // IsOwnAlertMail: no quota, no abuse tracking

  // For the decision log.
  double score = 0;
  std::string content_note = "off";
  std::string spf_note = "off";
  const char* content_outcome_name = "off";  // ContentActionName, or "error"
  const char* spf_outcome = "off";           // spf::ActionName, or "error"
  bool dkim_failed = false;
  std::vector<std::string> rule_names;  // rules that hit
  int64_t started_us = 0;               // MAIL FROM, steady clock
};

// Each check's outcome for one decided message, in the vocabulary of the
// metrics catalog (metrics/catalog.h) and the decision logs.
struct DecisionOutcomes {
  std::string action;  // accept, quarantine, tempfail, reject, discard
  std::string quota, sender, content, spf, dkim, abuse;
  int signatures = 0;
  int ed25519_signatures = 0;  // of those
  int64_t decision_us = 0;     // time of the end-of-message decision
};

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_MESSAGE_STATE_H_

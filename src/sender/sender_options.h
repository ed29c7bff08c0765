// sender/sender_options.h — what the sender check is told: the policy file
// and what to do with each kind of refusal.
//
// Contract: plain values, each field with its default. ParseSenderAction is
// the inverse of SenderActionConfigName (the spelling in config files);
// ActionName is the spelling in log lines. Thread-safety: plain data; the
// functions are pure.
#ifndef SENDGUARD_SENDER_SENDER_OPTIONS_H_
#define SENDGUARD_SENDER_SENDER_OPTIONS_H_

#include <string>

#include "core/status.h"

namespace sendguard::sender {

enum class SenderAction { kAccept, kReject, kSendUnsigned, kTempfail };

struct SenderOptions {
  // Policy file path. Default "": only the default same-domain rule.
  std::string policy_path;
  // What to do when the sender may not use the From / envelope address.
  // Default kReject (550 5.7.1); kSendUnsigned: deliver without DKIM
  // signature; kTempfail: 451 4.7.1.
  SenderAction mismatch_action = SenderAction::kReject;
  // What to do with no From or several From. Default kReject (550 5.7.1).
  SenderAction bad_from_action = SenderAction::kReject;
  // A login user@domain may use any address @domain. Default true.
  bool default_same_domain = true;
  // Senders without login whose IP no policy line names may use any
  // address. Default true.
  bool allow_unmatched_unauthenticated = true;
  // Also check the envelope sender (MAIL FROM). Default true.
  bool check_envelope_from = true;
};

const char* ActionName(SenderAction a);
// Parses "reject" / "unsigned" / "tempfail" (config values).
Result<SenderAction> ParseSenderAction(const std::string& name);
// "reject" / "unsigned" / "tempfail" ("accept" for kAccept).
const char* SenderActionConfigName(SenderAction a);

}  // namespace sendguard::sender

#endif  // SENDGUARD_SENDER_SENDER_OPTIONS_H_

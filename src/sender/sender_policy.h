// sender/sender_policy.h — may this sender use these From addresses?
//
// Contract: SenderPolicy::Load reads the policy file (format below) all or
// nothing; every error names file:line and why. Check() is pure: given who
// is sending (SASL login, else the client IP of a trusted-network sender),
// the envelope sender and the raw values of the message's From headers, it
// returns the verdict, the action configured for it and a ready SMTP reply.
//
// Rules, in order:
//  * no From header, or one without an address -> kNoFrom; several From
//    headers or several addresses in one -> kMultipleFrom (DMARC cannot
//    evaluate either). Action: SenderOptions::bad_from_action (reject).
//  * an address is allowed when any pattern granted to the sender matches:
//    - default (unless the sender's entries say "!default"): a login
//      user@domain may use any address @domain; a login without domain gets
//      nothing by default;
//    - every policy line whose left side matches the login (exact login,
//      "*@domain" / "@domain", "*" for every login) or, for senders without
//      a login, the client IP ("192.0.2.0/24", "2001:db8::/32", "::1").
//  * senders without a login that no IP line matches are allowed
//    (trusted networks are already trusted by the MTA), unless
//    SenderOptions::allow_unmatched_unauthenticated is false.
//  * the envelope sender is checked too (the null sender "<>" always passes).
//
// Policy file: one "identity  pattern[,] pattern..." per line, '#' comments.
// Patterns: "user@domain" (exact), "*@domain" or "@domain" or "domain" (any
// address in domain), "*.domain" (any address in a subdomain), "*" (any),
// "!default" (drop the default same-domain rule for this identity).
// Thread-safety: a loaded SenderPolicy is immutable; Check() may run on many
// threads at once.
#ifndef SENDGUARD_SENDER_SENDER_POLICY_H_
#define SENDGUARD_SENDER_SENDER_POLICY_H_

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/net.h"
#include "core/smtp_reply.h"
#include "sender/sender_options.h"

namespace sendguard::sender {

enum class SenderVerdict { kAllowed, kNotAllowed, kNoFrom, kMultipleFrom };

// "allowed", "not_allowed", "no_from", "multiple_from" / "accept", "reject",
// "send_unsigned", "tempfail": for logs and config parsing.
const char* VerdictName(SenderVerdict v);

struct SenderCheck {
  SenderVerdict verdict = SenderVerdict::kAllowed;
  SenderAction action = SenderAction::kAccept;
  std::string from_address;  // the single header From address, if any
  std::string from_domain;   // its domain: what DKIM signs for
  std::string reason;        // for the log
  SmtpReply reply;           // when action is kReject/kTempfail

};

struct SenderIdentity {
  std::string login;      // SASL login ({auth_authen}); "" if none
  std::string client_ip;  // used only when login is empty
};

class SenderPolicy {
 public:
  static Result<std::shared_ptr<const SenderPolicy>> Load(const SenderOptions& options);

  SenderCheck Check(const SenderIdentity& who, const std::string& envelope_from,
                    const std::vector<std::string>& from_header_values) const;

 private:
  struct Entry {
    std::string login_pattern;  // lower case; empty when cidr is used
    bool is_cidr = false;
    IpPrefix cidr;
    bool no_default = false;
    std::vector<std::string> patterns;  // lower case
  };

  SenderPolicy() = default;
  Status ParseFile();
  Status ParseLine(const std::string& where, const std::vector<std::string>& fields);
  bool EntryApplies(const Entry& e, const SenderIdentity& who) const;
  bool MayUse(const SenderIdentity& who, const std::string& address) const;
  SenderCheck Refuse(SenderCheck c, SenderAction action, const std::string& reason) const;

  SenderOptions options_;
  std::vector<Entry> entries_;
};

}  // namespace sendguard::sender

#endif  // SENDGUARD_SENDER_SENDER_POLICY_H_

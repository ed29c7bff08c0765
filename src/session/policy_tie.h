// session/policy_tie.h — one count per message when both the milter and the
// Postfix policy service see it ([policy] with_milter = true).
//
// The policy service answers smtpd_recipient_restrictions before smtpd hands
// the same RCPT to its milters. At a message's first recipient the policy
// service marks the SMTP connection (client address and port, which both
// sides know) in the quota store; the milter, at its first recipient, takes
// the mark away and counts nothing for that message. Mail the policy service
// never saw (sendmail(1) through non_smtpd_milters, an smtpd without
// check_policy_service) finds no mark and is counted by the milter.
// A mark older than `max_age` seconds is stale (an smtpd that refused the
// message after the policy service answered) and counts as none; stale marks
// are dropped by PrunePolicyMarks (the upkeep worker).
// Thread-safety: plain functions over a thread-safe store.
#ifndef SENDGUARD_SESSION_POLICY_TIE_H_
#define SENDGUARD_SESSION_POLICY_TIE_H_

#include <cstdint>
#include <string>

#include "core/status.h"
#include "quota/quota_store.h"

namespace sendguard {

std::string PolicyTieKey(const std::string& client_addr, const std::string& client_port);

// The policy service: the connection's current message is counted here.
Status MarkCountedByPolicy(quota::QuotaStore* store, const std::string& key, int64_t now);

// The milter: true if a mark younger than max_age was there; removes it.
Result<bool> TakePolicyMark(quota::QuotaStore* store, const std::string& key, int64_t now, int64_t max_age);

// Removes marks older than max_age; returns how many.
Result<size_t> PrunePolicyMarks(quota::QuotaStore* store, int64_t now, int64_t max_age);

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_POLICY_TIE_H_

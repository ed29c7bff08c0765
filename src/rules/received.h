// rules/received.h — one Received header read as SpamAssassin 4's
// Received-header parser reads it (Mail::SpamAssassin::Message::Metadata::
// Received): the handover's IP, rDNS, HELO, "by" host, ident, envelope
// sender, queue id and authentication, in the MTA formats it knows
// (Postfix, Sendmail, Exim, qmail and qmail-ldap, qpsmtpd, Microsoft SMTPSVC
// and Exchange, Exim-like "[ip] (helo=...)", CommuniGate, MDaemon, XMail,
// ecelerity, Lotus Domino, simta, webmail HTTP handovers, and its generic
// fall-backs). Local handovers and formats without an IP are "skipped";
// what none of the formats reads is "unparseable" (both are counted, neither
// is a relay, as in SpamAssassin).
//
// Contract: pure functions; never throws. Thread-safety: stateless (the
// compiled patterns are immutable function statics).
#ifndef SENDGUARD_RULES_RECEIVED_H_
#define SENDGUARD_RULES_RECEIVED_H_

#include <string>
#include <string_view>

namespace sendguard {
namespace rules {

// One handover, with SpamAssassin's field values (invalid characters such
// as "[" already replaced by "!"; an IPv4-mapped IPv6 address as IPv4).
struct Relay {
  std::string ip, rdns, helo, by, ident, envfrom, id, auth;
  bool ip_private = false;   // in SpamAssassin's IP_PRIVATE ranges
  bool internal = false;     // set by the trust path (rules/relays.h)
  bool msa = false;
};

enum class ReceivedKind {
  kRelay,          // parsed: `relay` is filled
  kSkipped,        // known not to be a network handover (local, BSMTP, ...)
  kFetcherMarker,  // fetchmail/getmail POP3 or IMAP handover: skipped, and
                   // the trusted part of the path starts again
  kUnparseable,    // no known format
};

struct ReceivedParse {
  ReceivedKind kind = ReceivedKind::kUnparseable;
  Relay relay;
  // qmail-scanner's own Received line carries the envelope sender of the
  // handover described by the next (older) Received header.
  bool has_qmail_scanner_envfrom = false;
  std::string qmail_scanner_envfrom;
};

// `value` is the header's value (folded or not).
ReceivedParse ParseReceived(std::string_view value);

// True if `ip` (as a relay's ip field) is private, loopback, link-local or
// CGN space, IPv4 or IPv6 (SpamAssassin's IP_PRIVATE).
bool IsPrivateIp(std::string_view ip);

// "[ ip=... rdns=... helo=... by=... ident=... envfrom=... intl=0|1 id=...
// auth=... msa=0|1 ]", SpamAssassin's as_string of a relay.
std::string RelayString(const Relay& relay);

// True if every format pattern compiled (a self-check for the unit tests).
bool ReceivedPatternsCompile();

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_RECEIVED_H_

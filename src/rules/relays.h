// rules/relays.h — SpamAssassin's relay path of a message and the
// pseudo-headers its rules read: X-Spam-Relays-Trusted, -Untrusted,
// -Internal, -External (each relay as "[ ip=... rdns=... ... ]", joined by
// spaces) and ALL-TRUSTED, ALL-UNTRUSTED, ALL-INTERNAL, ALL-EXTERNAL (the
// headers added at each side of the trust boundary).
//
// The Received headers are read top (newest) down with rules/received.h;
// the originating-IP headers of SpamAssassin's default configuration
// (X-Originating-IP, ...) are appended as the oldest handovers. Trust, as
// SpamAssassin's Metadata/Received.pm decides it:
//   - no networks configured: a relay is trusted (and internal) while its
//     IP is private or it authenticated; the first other one and all after
//     it are untrusted and external;
//   - trusted_networks and/or internal_networks (each defaults to the
//     other): trusted while the IP is in trusted_networks or the relay
//     authenticated; internal while also in internal_networks (or
//     authenticated); a relay from msa_networks is marked msa=1 and ends
//     the inference (everything after it keeps the current trust);
//   - a POP3/IMAP fetch handover inside the trusted part starts the trusted,
//     internal and external lists again.
//
// `prepended` lets the daemon put the handover it saw itself (the milter
// macros, written as the Received header its MTA adds) above the message's
// own Received headers; for a message file it is empty.
//
// Contract: pure functions. Thread-safety: stateless.
#ifndef SENDGUARD_RULES_RELAYS_H_
#define SENDGUARD_RULES_RELAYS_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/net.h"
#include "mime/parsed_message.h"
#include "rules/received.h"

namespace sendguard {
namespace rules {

struct TrustNetworks {
  std::vector<IpPrefix> trusted, internal, msa;
  bool trusted_configured = false;   // trusted_networks given
  bool internal_configured = false;  // internal_networks given
};

struct RelayPath {
  std::vector<Relay> trusted, untrusted, internal, external;
  int unparseable = 0;
  // Index (0 = topmost) of the last Received header added by a trusted /
  // internal relay; -1 when none.
  int last_trusted_index = -1;
  int last_internal_index = -1;
  std::vector<std::string> prepended;  // handovers put above the message's own
};

RelayPath ComputeRelayPath(const std::vector<mime::Header>& headers, const TrustNetworks& trust,
                           const std::vector<std::string>& prepended = {});

// The eight names: X-Spam-Relays-{Trusted,Untrusted,Internal,External},
// ALL-{TRUSTED,INTERNAL,UNTRUSTED,EXTERNAL}.
const std::vector<std::string>& RelayPseudoHeaderNames();

// True for the eight names: header rules read them from
// ParsedMessage::pseudo_headers, not from the message's own headers.
bool IsRelayPseudoHeader(std::string_view name);

// The pseudo-headers named in `wanted` (each present, possibly empty) from
// `path` and the message's `headers`, as header rules read them.
std::vector<mime::Header> RelayPseudoHeaders(const RelayPath& path, const std::vector<mime::Header>& headers,
                                             const std::vector<std::string>& wanted);

// Fills msg->pseudo_headers with the `wanted` ones (RuleSet::
// relay_headers_read(); what `sendguard scan` and the daemon call before
// RuleSet::Scan; without it relay rules are unknown). Nothing wanted:
// nothing is parsed.
void AddRelayPseudoHeaders(mime::ParsedMessage* msg, const TrustNetworks& trust,
                           const std::vector<std::string>& wanted, const std::vector<std::string>& prepended = {});

// The Received header value the MTA writes for the client it saw
// (Postfix's format: "from HELO (RDNS [IP]) by BY (Postfix) with ESMTP[S][A]
// id ID"): what the message carries when delivered. `rdns` empty = none.
std::string ReceivedForClient(const std::string& helo, const std::string& rdns, const std::string& ip,
                              const std::string& by, bool authenticated, bool tls, const std::string& id);

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_RELAYS_H_

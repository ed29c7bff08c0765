// rules/relays.cc — SpamAssassin's trust path over the parsed Received
// headers, and the pseudo-headers built from it.
#include "rules/relays.h"

#include <algorithm>

#include <strings.h>

#include <re2/re2.h>

namespace sendguard {
namespace rules {
namespace {

bool SameName(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

// SpamAssassin's default originating_ip_headers (10_default_prefs.cf).
const char* const kOriginatingIpHeaders[] = {
    "X-Yahoo-Post-IP", "X-Originating-IP", "X-Apparently-From", "X-SenderIP", "X-AOL-IP",
    "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp"};

const mime::Header* FirstHeader(const std::vector<mime::Header>& headers, const char* name) {
  for (const mime::Header& h : headers)
    if (SameName(h.name, name)) return &h;
  return nullptr;
}

// Every handover line, newest first: the prepended ones, the Received
// headers, then one "X-Originating-IP: ip" per originating-IP header.
std::vector<std::string> HandoverLines(const std::vector<mime::Header>& headers,
                                       const std::vector<std::string>& prepended) {
  std::vector<std::string> lines = prepended;
  for (const mime::Header& h : headers)
    if (SameName(h.name, "Received")) lines.push_back(h.decoded);
  static const RE2 ip(R"(((?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)(?:\.(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)){3}\b))");
  for (const char* name : kOriginatingIpHeaders) {
    const mime::Header* h = FirstHeader(headers, name);
    std::string found;
    if (h != nullptr && RE2::PartialMatch(h->decoded, ip, &found)) lines.push_back("from X-Originating-IP: " + found);
  }
  return lines;
}

std::vector<IpPrefix> WithLoopback(std::vector<IpPrefix> nets) {
  for (const char* lo : {"127.0.0.0/8", "::1"}) nets.push_back(*IpPrefix::Parse(lo));
  return nets;
}

bool Contains(const std::vector<IpPrefix>& nets, const std::string& ip) {
  Result<IpAddress> a = IpAddress::Parse(ip);
  return a.ok() && InAnyPrefix(nets, *a);
}

// The walk's state: where the trust boundary is so far.
struct Walk {
  bool infer = true;
  std::vector<IpPrefix> trusted, internal, msa;
  bool in_trusted = true, in_internal = true, found_msa = false;
  bool allow_fetch_marker = true;
};

Walk StartWalk(const TrustNetworks& t) {
  Walk w;
  w.infer = !t.trusted_configured && !t.internal_configured;
  if (w.infer) return w;
  w.trusted = WithLoopback(t.trusted_configured ? t.trusted : t.internal);
  w.internal = WithLoopback(t.internal_configured ? t.internal : t.trusted);
  w.msa = t.msa;
  return w;
}

// One relay moves the boundary (or not), as Received.pm decides.
void Classify(Walk* w, Relay* r) {
  if (!w->in_trusted || w->found_msa) return;
  bool auth = !r->auth.empty();
  if (w->infer) {
    if (!r->ip_private && !auth) w->in_trusted = w->in_internal = false;
    return;
  }
  if (!auth && !Contains(w->trusted, r->ip)) {
    w->in_trusted = w->in_internal = false;
    return;
  }
  if (w->in_internal && !auth && !Contains(w->internal, r->ip)) w->in_internal = false;
  if (Contains(w->msa, r->ip)) w->found_msa = r->msa = true;
}

std::string Joined(const std::vector<Relay>& relays) {
  std::string out;
  for (const Relay& r : relays) out += (out.empty() ? "" : " ") + RelayString(r);
  return out;
}

// Headers from Received number `start` (inclusive) on, or up to and
// including Received number `end`; get_all_hdrs_in_rcvd_index_range.
mime::Header HeaderRange(const char* name, const std::vector<mime::Header>& headers, int start, int end,
                         bool has_start, bool has_end) {
  mime::Header out;
  out.name = name;
  int index = -1;
  for (const mime::Header& h : headers) {
    if (SameName(h.name, "Received")) ++index;
    bool in = (!has_start || start <= index) && (!has_end || index < end);
    bool last = has_end && index == end;
    if (in || last) {
      out.decoded += h.name + ": " + h.decoded + "\n";
      out.raw += h.name + ":" + h.raw + "\n";
    }
    if (!in && last) break;
  }
  return out;
}

mime::Header Pseudo(const char* name, const std::string& value) {
  mime::Header h;
  h.name = name;
  h.raw = value;
  h.decoded = value;
  return h;
}

}  // namespace

RelayPath ComputeRelayPath(const std::vector<mime::Header>& headers, const TrustNetworks& trust,
                           const std::vector<std::string>& prepended) {
  RelayPath path;
  Walk w = StartWalk(trust);
  std::string qmail_scanner_envfrom;
  bool has_qmail_scanner_envfrom = false;
  for (const std::string& line : HandoverLines(headers, prepended)) {
    bool pending = has_qmail_scanner_envfrom;
    std::string pending_envfrom = qmail_scanner_envfrom;
    has_qmail_scanner_envfrom = false;
    ReceivedParse p = ParseReceived(line);
    if (p.has_qmail_scanner_envfrom) {
      has_qmail_scanner_envfrom = true;
      qmail_scanner_envfrom = p.qmail_scanner_envfrom;
    }
    if (p.kind == ReceivedKind::kFetcherMarker && w.allow_fetch_marker) {
      path.trusted.clear();
      path.internal.clear();
      path.external.clear();
    }
    if (p.kind != ReceivedKind::kRelay) {
      if (p.kind == ReceivedKind::kUnparseable) ++path.unparseable;
      if (w.in_trusted) ++path.last_trusted_index;
      if (w.in_internal) ++path.last_internal_index;
      continue;
    }
    Relay r = p.relay;
    if (pending) r.envfrom = pending_envfrom;
    Classify(&w, &r);
    r.internal = w.in_internal;
    w.allow_fetch_marker = w.in_trusted;
    if (w.in_trusted) ++path.last_trusted_index;
    if (w.in_internal) ++path.last_internal_index;
    (w.in_trusted ? path.trusted : path.untrusted).push_back(r);
    (w.in_internal ? path.internal : path.external).push_back(r);
  }
  path.prepended = prepended;
  return path;
}

const std::vector<std::string>& RelayPseudoHeaderNames() {
  static const std::vector<std::string> names = {
      "X-Spam-Relays-Trusted", "X-Spam-Relays-Untrusted", "X-Spam-Relays-Internal", "X-Spam-Relays-External",
      "ALL-TRUSTED",           "ALL-INTERNAL",            "ALL-UNTRUSTED",          "ALL-EXTERNAL"};
  return names;
}

bool IsRelayPseudoHeader(std::string_view name) {
  const std::vector<std::string>& names = RelayPseudoHeaderNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<mime::Header> RelayPseudoHeaders(const RelayPath& path, const std::vector<mime::Header>& headers,
                                             const std::vector<std::string>& wanted) {
  // ALL-*: ranges of the message's headers as delivered (the handover
  // lines on top), copied only when one of them is wanted.
  std::vector<mime::Header> all;
  auto delivered = [&]() -> const std::vector<mime::Header>& {
    if (all.empty()) {
      for (const std::string& line : path.prepended) {
        all.push_back(Pseudo("Received", line));
        all.back().raw = " " + line;
      }
      all.insert(all.end(), headers.begin(), headers.end());
    }
    return all;
  };
  std::vector<mime::Header> out;
  for (const std::string& name : wanted) {
    const char* n = name.c_str();
    if (name == "X-Spam-Relays-Trusted") out.push_back(Pseudo(n, Joined(path.trusted)));
    else if (name == "X-Spam-Relays-Untrusted") out.push_back(Pseudo(n, Joined(path.untrusted)));
    else if (name == "X-Spam-Relays-Internal") out.push_back(Pseudo(n, Joined(path.internal)));
    else if (name == "X-Spam-Relays-External") out.push_back(Pseudo(n, Joined(path.external)));
    else if (name == "ALL-TRUSTED") out.push_back(HeaderRange(n, delivered(), 0, path.last_trusted_index + 1, false, true));
    else if (name == "ALL-INTERNAL") out.push_back(HeaderRange(n, delivered(), 0, path.last_internal_index + 1, false, true));
    else if (name == "ALL-UNTRUSTED") out.push_back(HeaderRange(n, delivered(), path.last_trusted_index + 1, 0, true, false));
    else if (name == "ALL-EXTERNAL") out.push_back(HeaderRange(n, delivered(), path.last_internal_index + 1, 0, true, false));
  }
  // As header_view does for every header: the final "\n" is left out
  // (RE2's $ is \z; Perl's also matches before a final newline).
  for (mime::Header& h : out) {
    if (!h.decoded.empty() && h.decoded.back() == '\n') h.decoded.pop_back();
    if (!h.raw.empty() && h.raw.back() == '\n') h.raw.pop_back();
  }
  return out;
}

void AddRelayPseudoHeaders(mime::ParsedMessage* msg, const TrustNetworks& trust,
                           const std::vector<std::string>& wanted, const std::vector<std::string>& prepended) {
  if (wanted.empty()) return;
  msg->pseudo_headers = RelayPseudoHeaders(ComputeRelayPath(msg->headers, trust, prepended), msg->headers, wanted);
}

std::string ReceivedForClient(const std::string& helo, const std::string& rdns, const std::string& ip,
                              const std::string& by, bool authenticated, bool tls, const std::string& id) {
  std::string with = std::string("ESMTP") + (tls ? "S" : "") + (authenticated ? "A" : "");
  std::string out = "from " + (helo.empty() ? std::string("unknown") : helo) + " (" +
                    (rdns.empty() ? std::string("unknown") : rdns) + " [" + ip + "]) by " + by +
                    " (Postfix) with " + with;
  if (!id.empty()) out += " id " + id;
  return out;
}

}  // namespace rules
}  // namespace sendguard

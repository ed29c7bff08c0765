// spf/dmarc.h — DMARC record parsing and identifier alignment (RFC 7489),
// as far as a sender needs them to predict what a receiver will conclude.
//
// Contract: pure functions, no I/O; DNS answers come in as TXT strings.
// Thread-safety: pure functions over values.
#ifndef SENDGUARD_SPF_DMARC_H_
#define SENDGUARD_SPF_DMARC_H_

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "spf/public_suffix.h"

namespace sendguard::spf {

struct DmarcRecord {
  std::string policy = "none";            // p=: none | quarantine | reject
  std::optional<std::string> subdomain_policy;  // sp=, when present
  bool strict_dkim = false;               // adkim=s
  bool strict_spf = false;                // aspf=s
};

// Parses one TXT string; InvalidArgument unless it starts with v=DMARC1.
// Unknown tags are ignored; an invalid p= falls back to none (RFC 7489 6.6.3).
Result<DmarcRecord> ParseDmarcRecord(const std::string& txt);

// Picks the DMARC record out of the TXT strings found at _dmarc.<domain>:
// NotFound when none or more than one string starts with "v=DMARC1".
Result<DmarcRecord> SelectDmarcRecord(const std::vector<std::string>& texts);

// Identifier alignment: strict = equal (case-insensitive), relaxed = same
// organisational domain.
bool Aligned(const std::string& a, const std::string& b, bool strict,
             const PublicSuffixList& psl);

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_DMARC_H_

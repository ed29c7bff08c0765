// spf/dmarc.cc — tag-list parsing of DMARC records and alignment checks.
#include "spf/dmarc.h"

#include <cctype>
#include <sstream>

#include "core/strings.h"
#include "idna/idna.h"

namespace sendguard::spf {
namespace {

// A domain as looked up and compared: its IDNA A-label (the input lower-cased
// when it is not valid IDNA, so the lookup fails as "no record").
std::string DomainForDns(const std::string& name) {
  Result<std::string> canonical = idna::CanonicalDomain(name);
  return canonical.ok() ? *canonical : CanonicalDnsName(name);
}

bool ValidPolicy(const std::string& p) { return p == "none" || p == "quarantine" || p == "reject"; }

void ApplyTag(const std::string& tag, const std::string& value, DmarcRecord* r) {
  std::string v = CanonicalDnsName(value);
  if (tag == "p" && ValidPolicy(v)) r->policy = v;
  if (tag == "sp" && ValidPolicy(v)) r->subdomain_policy = v;
  if (tag == "adkim") r->strict_dkim = (v == "s");
  if (tag == "aspf") r->strict_spf = (v == "s");
}

bool StartsWithVersion(const std::string& txt) {
  std::string first = txt.substr(0, txt.find(';'));
  size_t eq = first.find('=');
  return eq != std::string::npos && Trim(first.substr(0, eq)) == "v" &&
         Trim(first.substr(eq + 1)) == "DMARC1";
}

}  // namespace

Result<DmarcRecord> ParseDmarcRecord(const std::string& txt) {
  if (!StartsWithVersion(txt)) return Status::InvalidArgument("not a DMARC1 record");
  DmarcRecord record;
  std::istringstream in(txt);
  std::string part;
  while (std::getline(in, part, ';')) {
    size_t eq = part.find('=');
    if (eq == std::string::npos) continue;
    ApplyTag(CanonicalDnsName(Trim(part.substr(0, eq))), std::string(Trim(part.substr(eq + 1))), &record);
  }
  return record;
}

Result<DmarcRecord> SelectDmarcRecord(const std::vector<std::string>& texts) {
  const std::string* found = nullptr;
  for (const std::string& t : texts) {
    if (!StartsWithVersion(t)) continue;
    if (found != nullptr) return Status::NotFound("more than one DMARC record");
    found = &t;
  }
  if (found == nullptr) return Status::NotFound("no DMARC record");
  return ParseDmarcRecord(*found);
}

bool Aligned(const std::string& a, const std::string& b, bool strict,
             const PublicSuffixList& psl) {
  std::string la = DomainForDns(a), lb = DomainForDns(b);
  if (la.empty() || lb.empty()) return false;
  if (strict) return la == lb;
  return psl.OrganizationalDomain(la) == psl.OrganizationalDomain(lb);
}

}  // namespace sendguard::spf

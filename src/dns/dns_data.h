// dns/dns_data.h — the static DNS data file: answers for the SPF/DMARC
// pre-flight and the DKIM key checks without any network, for tests and
// air-gapped deployments.
//
// Format, one record per line ('#' starts a comment, blank lines ignored):
//
//   example.org             TXT      "v=spf1 ip4:192.0.2.10 -all"
//   long.example            TXT      "v=spf1 ip4:192.0.2.1 " "-all"   (chunks concatenated)
//   _dmarc.example.org      TXT      "v=DMARC1; p=reject; adkim=s"
//   mail.example.org        A        192.0.2.25
//   mail.example.org        AAAA     2001:db8::25
//   example.org             MX       10 mail.example.org   (preference optional, ignored)
//   25.2.0.192.in-addr.arpa PTR      mail.example.org
//   s1._domainkey.example.org CNAME  s1._domainkey.example.net  (alias, as Microsoft 365 uses;
//                                    followed by the DKIM key checks, not by the SPF pre-flight)
//   flaky.example           TEMPFAIL       (every lookup of the name: DNS TRY_AGAIN)
//   slow.example            TIMEOUT        (every lookup of the name stalls forever)
//
// Names are case-insensitive, a trailing dot is optional. A name that is not
// listed does not exist (NXDOMAIN). Errors name file:line and why.
// Thread-safety: pure functions over values.
#ifndef SENDGUARD_SPF_DNS_DATA_H_
#define SENDGUARD_SPF_DNS_DATA_H_

#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard::dns {

enum class DnsRecordType { kTxt, kA, kAaaa, kMx, kPtr, kCname, kTempFail, kTimeout };

struct DnsRecord {
  std::string name;   // lower case, no trailing dot
  DnsRecordType type = DnsRecordType::kTxt;
  std::string data;   // TXT text (strings joined), address, or target host; empty for TEMPFAIL/TIMEOUT
  int line = 0;       // line in the source file, for messages
};

// Parses the text of a data file; `filename` is only used in error messages.
Result<std::vector<DnsRecord>> ParseDnsData(const std::string& text, const std::string& filename);

// Reads and parses `path`.
Result<std::vector<DnsRecord>> LoadDnsDataFile(const std::string& path);

}  // namespace sendguard::dns

#endif  // SENDGUARD_SPF_DNS_DATA_H_

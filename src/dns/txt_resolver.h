// dns/txt_resolver.h — TXT lookups for the DKIM key checks, from the system
// resolver or from the static DNS data file (dns_data.h).
//
// Contract: LookupTxt(name) answers one of found (every TXT record at the
// name after following CNAMEs, each record's strings joined), no record
// (NXDOMAIN or no TXT data), tempfail (SERVFAIL, TRY_AGAIN) or timeout; it
// never throws and never takes much longer than the per-query timeout given at
// construction (the static TIMEOUT entry waits that long, as a silent server
// would make the stub resolver wait). At most kMaxAliases CNAMEs are
// followed; a longer chain or a loop is a tempfail naming the chain.
// Thread-safety: one TxtResolver per thread (the system resolver keeps its
// own res_state); the static one is immutable apart from that.
#ifndef SENDGUARD_DNS_TXT_RESOLVER_H_
#define SENDGUARD_DNS_TXT_RESOLVER_H_

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "dns/dns_data.h"

namespace sendguard::dns {

inline constexpr int kMaxAliases = 8;

struct TxtAnswer {
  enum class Outcome { kFound, kNoRecord, kTempFail, kTimeout };
  Outcome outcome = Outcome::kNoRecord;
  std::vector<std::string> records;  // kFound: one entry per TXT record
  std::vector<std::string> aliases;  // CNAME targets followed, in order
  std::string error;                 // kTempFail / kTimeout: what happened
};

class TxtResolver {
 public:
  virtual ~TxtResolver() = default;
  virtual TxtAnswer LookupTxt(const std::string& name) = 0;
};

// Answers from `records` only; a name not listed does not exist.
std::unique_ptr<TxtResolver> NewStaticTxtResolver(std::vector<DnsRecord> records, int timeout_s);

// The libc stub resolver (/etc/resolv.conf), one attempt of timeout_s per server.
std::unique_ptr<TxtResolver> NewSystemTxtResolver(int timeout_s);

// dns_data_file "" = the system resolver; otherwise the file's records
// (errors name file:line).
Result<std::unique_ptr<TxtResolver>> OpenTxtResolver(const std::string& dns_data_file, int timeout_s);

}  // namespace sendguard::dns

#endif  // SENDGUARD_DNS_TXT_RESOLVER_H_

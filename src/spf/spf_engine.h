// spf/spf_engine.h — SPF evaluation (libspf2) and TXT lookups over one DNS
// stack: the system resolver with a cache, or the static DNS data file.
//
// Contract: this is the only code that touches libspf2. It evaluates
// untrusted SPF records, and Debian's libspf2 1.2.10 has known memory-safety
// bugs (CVE-2023-42118) and abort()s on internal errors, so it is meant to run
// only inside the SPF helper process (spf_helper.h); unit tests may use it
// directly over static data they wrote themselves. Results never come back as
// libspf2's "invalid": a DNS TRY_AGAIN is mapped to temperror.
// Thread-safety: none. One engine per helper process, used by one thread.
#ifndef SENDGUARD_SPF_SPF_ENGINE_H_
#define SENDGUARD_SPF_SPF_ENGINE_H_

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "dns/dns_data.h"
#include "spf/spf_types.h"

namespace sendguard::spf {

using dns::DnsRecord;
using dns::DnsRecordType;

struct EngineOptions {
  // Serve every lookup from these records (no network at all) when true;
  // otherwise use the system resolver. Default: system resolver.
  bool use_static_records = false;
  std::vector<DnsRecord> static_records;
  // System resolver only: the cache holds 2^cache_bits entries. Default 10.
  int cache_bits = 10;
  // System resolver only: per-query timeout given to the stub resolver
  // (RES_OPTIONS "timeout:N attempts:1") unless RES_OPTIONS is already set.
  // Default 2 s. The SpfClient deadline is what bounds a whole check.
  int resolver_timeout_s = 2;
  // Name used as the receiving host in libspf2's comments. Default "sendguard".
  std::string receiver_name = "sendguard";
};

struct SpfAnswer {
  SpfResult result = SpfResult::kTempError;
  std::string comment;  // libspf2's header comment, e.g. "domain of x designates ..."
};

struct TxtAnswer {
  enum class Status { kFound, kNotFound, kTempError };
  Status status = Status::kTempError;
  std::vector<std::string> texts;  // one entry per TXT record, chunks joined
};

class SpfEngine {
 public:
  static Result<std::unique_ptr<SpfEngine>> Create(const EngineOptions& options);
  ~SpfEngine();
  SpfEngine(const SpfEngine&) = delete;
  SpfEngine& operator=(const SpfEngine&) = delete;

  // RFC 7208 check_host() for MAIL FROM postmaster@<domain> from `ip`
  // (IPv4 or IPv6 text). A malformed ip or domain gives permerror with a
  // comment saying why. Loopback addresses always pass (libspf2 rule).
  SpfAnswer CheckHost(const std::string& ip, const std::string& domain);

  // TXT records of `name` (used for _dmarc lookups).
  TxtAnswer LookupTxt(const std::string& name);

 private:
  struct Impl;
  explicit SpfEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_SPF_ENGINE_H_

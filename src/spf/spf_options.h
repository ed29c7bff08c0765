// spf/spf_options.h — configuration of the SPF/DMARC pre-flight, each field
// with its default (config/config.cc names the key of each field).
//
// Contract: plain value; ValidateSpfOptions() reports the first bad field.
// Thread-safety: immutable once built; share freely.
#ifndef SENDGUARD_SPF_SPF_OPTIONS_H_
#define SENDGUARD_SPF_SPF_OPTIONS_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "spf/public_suffix.h"
#include "spf/spf_types.h"

namespace sendguard::spf {

struct SpfOptions {
  // The relay's outbound addresses (IPv4/IPv6) as receivers see them.
  // Default: none, which disables the egress check and SPF-based alignment.
  std::vector<std::string> egress_ips;
  // Static DNS data file (dns_data.h) served instead of DNS. Default "":
  // the system resolver.
  std::string dns_data_file;
  // Deadline for one Check(), helper round trip included. Default 2000 ms.
  int timeout_ms = 2000;
  // Helper processes (concurrent checks). Default 2; 1..64.
  int helpers = 2;
  // Per-helper DNS cache of 2^cache_bits entries. Default 10.
  int cache_bits = 10;
  // Stub resolver per-query timeout in seconds. Default 2; 1..30.
  int resolver_timeout_s = 2;
  // Public suffix list for organisational domains. Default: Debian's
  // publicsuffix file. "" or a missing file = "last two labels" (logged as
  // a warning); a file without any rule is an error.
  std::string public_suffix_file = kDefaultPublicSuffixFile;
  // Egress SPF is fail/softfail/neutral/permerror for a relay address.
  // Default tag.
  Action egress_fail_action = Action::kTag;
  // DMARC p=reject/quarantine and the message will not align. Default tag.
  Action dmarc_action = Action::kTag;
  // Trusted-network client address fails (fail/softfail) the sender's SPF.
  // Default tag.
  Action spoof_action = Action::kTag;
  // A check could not finish: DNS timeout/temperror, helper crash or
  // stall. Default none (no action, results say temperror).
  Action temperror_action = Action::kNone;
  // Mechanism suggested to customers, e.g. "include:_spf.relay.example".
  // Default "": only ip4:/ip6: of the relay are suggested.
  std::string include_hint;
  // authserv-id of the Authentication-Results-style header. Default "sendguard".
  std::string authserv_id = "sendguard";
  // argv that starts a helper, e.g. {"/proc/self/exe", "spf-helper"} (the
  // helper gets its socket as fd 3). Default empty: fork() and run the helper
  // in the child without exec — only for tests and single-threaded tools,
  // since the child inherits the parent's memory (keys included).
  std::vector<std::string> helper_command;
  // User the helpers run as (the daemon's parent starts them so; a helper
  // started as root by other code switches itself). "" = the workers' user.
  // Default "nobody".
  std::string helper_user = "nobody";
};

Status ValidateSpfOptions(const SpfOptions& options);

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_SPF_OPTIONS_H_

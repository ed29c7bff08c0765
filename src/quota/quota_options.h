// quota/quota_options.h — the knobs of the quota module. The daemon's
// configuration fills them (config/config.cc names the key of each field).
//
// Contract: a plain value; every field has a documented default that is safe
// for a production relay. Thread-safety: immutable once handed to the module.
#ifndef SENDGUARD_QUOTA_QUOTA_OPTIONS_H_
#define SENDGUARD_QUOTA_QUOTA_OPTIONS_H_

#include <cstdint>
#include <string>

namespace sendguard {
namespace quota {

struct QuotaOptions {
  // Quota classes and the user map (policies/quota.conf). Default "": no
  // quotas.
  std::string policy_file;

  // Directory of the embedded store (data.mdb, lock.mdb). Created if
  // missing. Shared by all daemon processes and the CLI. Default "": the
  // configuration loader makes it <daemon state_dir>/quota.
  std::string state_dir;

  // Lower-case SASL logins before counting, so that "Alice@Example.ORG" and
  // "alice@example.org" share one quota. Not a key of its own: the loader
  // copies the identity section's fold_case here. Default true.
  bool case_fold = true;

  // Unauthenticated mail from trusted networks is counted per client address aggregated to this prefix
  // (32 / 128 = per address; 24 / 64 = per subnet).
  int ipv4_prefix = 32;
  int ipv6_prefix = 64;

  // What to do when the store cannot answer.
  // false (default): the decision says "do not accept" and carries a
  // 451 4.3.0 reply (fail closed: Postfix keeps the mail queued).
  // true: accept and log; mail flows uncounted while the store is broken.
  bool fail_open = false;

  // How long a pending reservation (RCPT accepted, message not finished) counts against the limits if the daemon
  // never commits or releases it (e.g. killed with -9). Longer than any
  // SMTP transaction the MTA allows (Postfix smtpd_timeout x a few).
  int64_t reservation_ttl_seconds = 1800;

  // Upper bound of the store file (LMDB map size). The file is sparse; this is a ceiling, not an allocation.
  int64_t map_size_mb = 256;

  // Fsync every store write. false (default): counts survive a crash or kill -9 of any sendguard process (the kernel keeps the
  // pages) but a power loss may forget the last few seconds of counts.
  bool sync_writes = false;
};

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_QUOTA_OPTIONS_H_

// quota/quota_options.h — the knobs of the quota module, filled by the daemon
// from the `[quota]` section of its TOML config (or left at their defaults).
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
  // [quota] policy_file — quota classes and the user map.
  std::string policy_file = "policies/quota.conf";

  // [quota] state_dir — directory of the embedded store (data.mdb, lock.mdb).
  // Created if missing. Shared by all daemon processes and the CLI.
  std::string state_dir = "/var/lib/sendguard/quota";

  // [quota] case_fold — lower-case SASL logins before counting, so that
  // "Alice@Example.ORG" and "alice@example.org" share one quota.
  bool case_fold = true;

  // [quota] ipv4_prefix / ipv6_prefix — unauthenticated mail from trusted
  // networks is counted per client address aggregated to this prefix
  // (32 / 128 = per address; 24 / 64 = per subnet).
  int ipv4_prefix = 32;
  int ipv6_prefix = 64;

  // [quota] fail_open — what to do when the store cannot answer.
  // false (default): the decision says "do not accept" and carries a
  // 451 4.3.0 reply (fail closed: Postfix keeps the mail queued).
  // true: accept and log; mail flows uncounted while the store is broken.
  bool fail_open = false;

  // [quota] reservation_ttl_seconds — how long a pending reservation (RCPT
  // accepted, message not finished) counts against the limits if the daemon
  // never commits or releases it (e.g. killed with -9). Longer than any
  // SMTP transaction the MTA allows (Postfix smtpd_timeout x a few).
  int64_t reservation_ttl_seconds = 1800;

  // [quota] map_size_mb — upper bound of the store file (LMDB map size).
  // The file is sparse; this is a ceiling, not an allocation.
  int64_t map_size_mb = 256;

  // [quota] sync_writes — fsync every store write. false (default): counts
  // survive a crash or kill -9 of any sendguard process (the kernel keeps the
  // pages) but a power loss may forget the last few seconds of counts.
  bool sync_writes = false;
};

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_QUOTA_OPTIONS_H_

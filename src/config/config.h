// config/config.h — the daemon's configuration: one TOML file turned into an
// immutable Config value.
//
// Contract: LoadConfig() either returns a complete Config (every field set,
// defaults from the struct initialisers below, which are the one documented
// place for defaults) or an error naming file:line and why — unknown keys and
// sections are errors, not warnings. Relative paths in the file are resolved
// against the directory holding the config file.
// Thread-safety: a Config is immutable after loading; share it by const ref or
// shared_ptr<const Config>.
#ifndef SENDGUARD_CONFIG_CONFIG_H_
#define SENDGUARD_CONFIG_CONFIG_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/log.h"
#include "core/net.h"
#include "core/status.h"
#include "dkim/options.h"
#include "mime/parser.h"
#include "quota/quota_options.h"
#include "redisquota/store_factory.h"
#include "rules/rule_set.h"
#include "sender/sender_policy.h"
#include "spf/spf_options.h"

namespace sendguard {

// What the MTA is told when sendguard itself fails (a bug, an exception, a
// store or engine error that policy does not cover).
enum class FailureAction { kTempfail, kReject, kAccept };

struct DaemonConfig {
  // Milter sockets in libmilter spelling ("unix:/path", "inet:PORT@HOST").
  // More than one: one worker process per socket, supervised.
  std::vector<std::string> listen = {"unix:/run/sendguard/sendguard.sock"};
  mode_t socket_mode = 0660;             // unix socket permissions
  std::string socket_group;              // unix socket group (e.g. "postfix"); "" = user's
  std::string user;                      // drop to this user after start; "" = stay
  std::string state_dir = "/var/lib/sendguard";  // quota store, pid file
  std::string pid_file;                  // "" = <state_dir>/sendguard.pid
  FailureAction failure_action = FailureAction::kTempfail;
  int drain_timeout_s = 10;              // wait for open connections at stop
  int milter_timeout_s = 300;            // libmilter I/O timeout (smfi_settimeout)
  int backlog = 128;                     // listen(2) backlog
};

struct LogConfig {
  bool to_syslog = true;                 // target = "syslog" | "stderr"
  LogLevel level = LogLevel::kInfo;
};

struct IdentityConfig {
  // Unauthenticated clients in these networks are identified by address.
  std::vector<IpPrefix> trusted_networks;   // default: 127.0.0.0/8, ::1/128
  bool fold_case = true;                    // lower-case SASL logins
};

struct Config {
  std::string path;        // the file it was read from
  std::string dir;         // its directory: base for relative paths
  DaemonConfig daemon;
  LogConfig log;
  IdentityConfig identity;
  // [quota]: policy_file "" = no quotas; state_dir "" = <daemon.state_dir>/quota;
  // case_fold follows identity.fold_case.
  quota::QuotaOptions quota = NoQuota();
  // [quota] store ("lmdb" or "redis", in redis.backend) and redis_*: the
  // Redis endpoint and outage policy.
  redisquota::StoreConfig redis;

  // [rules]: paths [] = no content scanning.
  std::vector<std::string> rule_paths;
  rules::LoadOptions rule_load;
  mime::ScanLimits scan_limits;
  std::string actions_file;            // "" = built-in thresholds (5/8/12)

  // [dkim]: key_table "" = no signing.
  dkim::DkimOptions dkim;

  // [senders]: who may use which From; on unless enabled = false.
  bool senders_enabled = true;
  sender::SenderOptions senders;

  // [spf]: off unless enabled = true.
  bool spf_enabled = false;
  spf::SpfOptions spf;

  bool quota_enabled() const { return !quota.policy_file.empty(); }
  static quota::QuotaOptions NoQuota() {
    quota::QuotaOptions o;
    o.policy_file.clear();
    o.state_dir.clear();
    return o;
  }

  std::string PidFile() const;
};

// Reads and validates `path`. Never throws.
Result<Config> LoadConfig(const std::string& path);

// The defaults, as a commented TOML document (used by README / `sendguard help config`).
std::string ConfigReference();

}  // namespace sendguard

#endif  // SENDGUARD_CONFIG_CONFIG_H_

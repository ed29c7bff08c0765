// config/config.h — the daemon's configuration: one TOML file turned into an
// immutable Config value.
//
// Contract: LoadConfig() either returns a complete Config (every field set,
// defaults from the struct initialisers below and in the option headers they
// include: the one place for defaults) or an error naming file:line and why —
// unknown keys and sections are errors, not warnings. The keys themselves,
// with their documentation, are named once, in config.cc's table;
// `sendguard help config` prints it (ConfigReference()). Relative paths in the file are resolved
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
#include "mime/scan_limits.h"
#include "quota/quota_options.h"
#include "redisquota/redis_options.h"
#include "rules/rule_options.h"
#include "sender/sender_options.h"
#include "spf/spf_options.h"

namespace sendguard {

// What the MTA is told when sendguard itself fails (a bug, an exception, a
// store or engine error that policy does not cover).
enum class FailureAction { kTempfail, kReject, kAccept };

struct DaemonConfig {
  // Milter sockets in libmilter spelling ("unix:/path", "inet:PORT@HOST"),
  // opened by the parent and shared by `workers` worker processes each.
  std::vector<std::string> listen = {"unix:/run/sendguard/sendguard.sock"};
  int workers = 0;                       // worker processes per socket; 0 = one per core
  mode_t socket_mode = 0660;             // unix socket permissions
  std::string socket_group;              // unix socket group (e.g. "postfix"); "" = user's
  std::string user;                      // workers run as this user; "" = the parent's
  std::string state_dir = "/var/lib/sendguard";  // quota store, pid file
  std::string pid_file;                  // "" = <state_dir>/sendguard.pid
  std::string control_socket;            // "" = <state_dir>/sendguard.ctl
  FailureAction failure_action = FailureAction::kTempfail;
  int drain_timeout_s = 10;              // wait for open connections at stop
  int milter_timeout_s = 300;            // libmilter I/O timeout (smfi_settimeout)
  int backlog = 128;                     // listen(2) backlog
};

struct LogConfig {
  bool to_syslog = true;                 // target = "syslog" | "stderr"
  LogLevel level = LogLevel::kInfo;
  std::string decision_log;              // JSON lines, one per decision; "" = none
  std::string audit_log;                 // JSON lines, one per abuse action; "" = none
};

// The HTTP server (http/): Prometheus metrics and the admin console, in a
// child of the parent running as daemon.user. Off without `listen`.
struct HttpConfig {
  std::string listen;                    // "HOST:PORT", "[V6]:PORT" or "PORT" (= 127.0.0.1); "" = off
  std::string metrics_token_file;        // Bearer token for /metrics (read by the parent); "" = open
  std::string metrics_users_file;        // basic-auth users for /metrics, "user:HASH" lines; "" = none
  std::string tls_cert_file;             // PEM; with tls_key_file: HTTPS
  std::string tls_key_file;
  int threads = 2;                       // the server's own thread pool
  int max_connections = 64;
  int per_ip_connections = 16;
  int timeout_s = 10;                    // idle connection timeout (slow clients)
  std::string console_users_file;        // "user:$argon2id$..." lines; "" = no console
  std::string console_dir;               // per-minute history ring; "" = <daemon.state_dir>/console
  int login_attempts = 5;                // failed logins per client address per 5 minutes
  int session_minutes = 480;             // console session lifetime
};

// 127.0.0.0/8 and ::1/128.
std::vector<IpPrefix> DefaultTrustedNetworks();

struct IdentityConfig {
  // Unauthenticated clients in these networks are identified by address.
  std::vector<IpPrefix> trusted_networks = DefaultTrustedNetworks();
  bool fold_case = true;                    // lower-case SASL logins
};

// Compromised-account detection (abuse/); off without a policy file.
struct AbuseConfig {
  std::string policy_file;          // policies/abuse.conf; "" = off
  std::string postfix_config_dir;   // for postsuper on release; "" = Postfix's default
  std::string webhook_url;          // alerts are POSTed here; "" = no webhook
  std::string webhook_secret_file;  // HMAC-SHA256 key (read by the parent); "" = unsigned
  int webhook_timeout_ms = 5000;
  std::string outbox_dir;           // "" = <daemon.state_dir>/outbox
  std::vector<std::string> alert_mail_to;  // abuse desk addresses; [] = no mail
  std::string alert_mail_from;      // its sender; sendguard neither counts nor restricts it
  std::string sendmail = "/usr/sbin/sendmail";
};

// The Postfix SMTPD policy service (policyd/): same daemon, snapshot and
// quota store as the milter; off while `listen` is empty.
struct PolicyConfig {
  // Sockets in Postfix's spelling ("inet:127.0.0.1:10040", "unix:/path"),
  // opened by the parent and shared by daemon.workers workers each.
  std::vector<std::string> listen;
  int request_timeout_s = 10;    // a started request must be complete within this
  int idle_timeout_s = 600;      // idle connection closed (Postfix's own max_idle is 300 s)
  int max_connections = 512;     // per worker; more are closed at once
  // The milter is attached to the same smtpd too: messages the policy
  // service saw are counted by it alone, the milter counts the rest.
  bool with_milter = false;
};

struct Config {
  std::string path;        // the file it was read from
  std::string dir;         // its directory: base for relative paths
  DaemonConfig daemon;
  LogConfig log;
  IdentityConfig identity;
  quota::QuotaOptions quota;           // policy_file "" = no quotas
  redisquota::StoreConfig redis;       // which store; Redis endpoint and outage policy

  std::vector<std::string> rule_paths; // [] = no content scanning
  rules::LoadOptions rule_load;
  mime::ScanLimits scan_limits;
  std::string actions_file;            // "" = built-in thresholds (5/8/12)

  dkim::DkimOptions dkim;              // key_table_path "" = no signing

  bool senders_enabled = true;         // who may use which From
  sender::SenderOptions senders;

  bool spf_enabled = false;            // SPF/DMARC pre-flight
  spf::SpfOptions spf;

  AbuseConfig abuse;
  PolicyConfig policy;
  HttpConfig http;

  bool quota_enabled() const { return !quota.policy_file.empty(); }
  std::string PidFile() const;
  std::string ControlSocket() const;
  int WorkersPerSocket() const;  // daemon.workers, 0 resolved to the number of cores
  std::string HttpListenSpec() const;  // http.listen in libmilter spelling ("inet:PORT@HOST"); "" = off
};

// Reads and validates `path`. Never throws.
Result<Config> LoadConfig(const std::string& path);

// Every key with its default and documentation, grouped by section, as a
// TOML document that LoadConfig reads back to the defaults
// (`sendguard help config`).
std::string ConfigReference();

// Every key's value in `config` as TOML, without comments (for comparing
// configurations, and to print what a file amounts to).
std::string ConfigValues(const Config& config);

// "section.key" of every key, in table order.
std::vector<std::string> ConfigKeyNames();

}  // namespace sendguard

#endif  // SENDGUARD_CONFIG_CONFIG_H_

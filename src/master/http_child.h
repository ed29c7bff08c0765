// master/http_child.h — the process that serves HTTP (metrics, console).
//
// Contract: the parent opens the HTTP listen socket (setup.h) and reads the
// HTTP secrets (token, TLS key: LoadHttpSecrets, as root) and forks this
// child, which closes the parent's descriptors, maps the metrics segment
// and the rule hit table read-only, becomes daemon.user for good
// (PR_SET_NO_NEW_PRIVS) and serves
// with the HTTP server's own bounded threads until SIGTERM. A hostile
// client can at worst crash this child: never the parent, never a milter
// thread; the parent restarts it. A child that cannot start exits with
// kExitConfig after logging why. Never returns.
// Thread-safety: the child is single-threaded when this starts.
#ifndef SENDGUARD_MASTER_HTTP_CHILD_H_
#define SENDGUARD_MASTER_HTTP_CHILD_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "http/password.h"
#include "metrics/rule_hits.h"
#include "metrics/segment.h"
#include "proc/privileges.h"
#include "session/snapshot.h"

namespace sendguard {

struct HttpSecrets {
  std::string metrics_token;
  http::Users metrics_users;  // empty: no basic auth on /metrics
  std::string tls_cert_pem;
  std::string tls_key_pem;
  http::Users console_users;  // empty: no console
};

// Reads http.metrics_token_file, metrics_users_file, tls_cert_file,
// tls_key_file and console_users_file; errors name the file (and line).
Result<HttpSecrets> LoadHttpSecrets(const Config& config);

struct HttpChildSetup {
  pid_t parent = 0;
  std::shared_ptr<const Snapshot> snapshot;
  int listen_fd = -1;
  int channel_fd = -1;  // to the parent: held-mail requests (master/held_mail_service.h)
  proc::Account account;
  metrics::Segment* segment = nullptr;
  metrics::RuleHitTable* rule_hits = nullptr;  // mapped read-only in the child
  HttpSecrets secrets;
  std::vector<int> parent_fds;  // to close first
};

[[noreturn]] void RunHttpProcess(const HttpChildSetup& setup);

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_HTTP_CHILD_H_

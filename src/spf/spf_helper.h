// spf/spf_helper.h — the SPF helper process: the only place where libspf2
// evaluates (attacker-controlled) SPF records and where DNS data of customer
// domains is fetched.
//
// Contract: the helper loads its DNS data, then drops what it does not need
// (switches to an unprivileged user when started as root — in the daemon
// the parent starts it as spf.helper_user already —, PR_SET_NO_NEW_PRIVS, no
// core dumps, dies with its parent) and answers requests (helper_protocol.h) one at
// a time until its input closes. A crash or stall in here costs the daemon a
// temperror for one message, nothing more: SpfClient restarts it. The helper
// holds no keys and no milter state.
//
// Daemon wiring: `sendguard spf-helper` (hidden subcommand, exec'd by
// a HelperLauncher through /proc/self/exe with the socket as fd 3) must do nothing
// but `return sendguard::spf::SpfHelperSubcommandMain();` — before starting
// any thread or touching keys.
// Thread-safety: each function is the whole life of a process; call once.
#ifndef SENDGUARD_SPF_SPF_HELPER_H_
#define SENDGUARD_SPF_SPF_HELPER_H_

#include "spf/helper_protocol.h"

namespace sendguard::spf {

// The file descriptor on which an exec'd helper finds its socket.
constexpr int kSpfHelperFd = 3;

// Serves requests read from in_fd, answers on out_fd. Returns the process
// exit code: 0 when in_fd closed, non-zero on a setup or protocol failure
// (after telling the client "error <why>" when it can).
int RunSpfHelperMain(int in_fd, int out_fd, const SpfHelperOptions& options);

// Reads the "init" message from `fd`, then RunSpfHelperMain(fd, fd, ...).
int RunSpfHelperFromInit(int fd);

// Entry point of `sendguard spf-helper`: RunSpfHelperFromInit(kSpfHelperFd).
int SpfHelperSubcommandMain();

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_SPF_HELPER_H_

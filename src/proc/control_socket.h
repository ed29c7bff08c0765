// proc/control_socket.h — the parent's control socket, through which
// `sendguard reload` and `sendguard status` talk to the running daemon.
//
// Contract: a unix stream socket, mode 0600 (owned by whoever started the
// daemon: reloading is the parent's privilege). A client sends one request
// line ("reload" or "status"); the daemon answers with text lines, the last
// of which starts with "ok" or "error", then closes. RequestControl() sends
// a request and returns the whole answer, or an error Status when no daemon
// answers within the timeout.
// Thread-safety: plain functions.
#ifndef SENDGUARD_PROC_CONTROL_SOCKET_H_
#define SENDGUARD_PROC_CONTROL_SOCKET_H_

#include <string>

#include "core/status.h"

namespace sendguard::proc {

constexpr size_t kMaxControlRequest = 256;

// Listening socket at `path` (a stale file there is replaced).
Result<int> OpenControlSocket(const std::string& path);

// Reads one request line from a freshly accepted client (short deadline);
// returns it without the newline.
Result<std::string> ReadControlRequest(int client_fd);

// Writes the whole answer, best effort, and closes the client.
void AnswerControl(int client_fd, const std::string& answer);

Result<std::string> RequestControl(const std::string& path, const std::string& request, int timeout_s);

// True when the answer's last line starts with "ok".
bool ControlAnswerOk(const std::string& answer);

}  // namespace sendguard::proc

#endif  // SENDGUARD_PROC_CONTROL_SOCKET_H_

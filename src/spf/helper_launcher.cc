// spf/helper_launcher.cc — the local launcher: fork (or fork+exec) helpers
// as children of this process.
#include "spf/helper_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/child.h"
#include "spf/spf_helper.h"

namespace sendguard::spf {
namespace {

[[noreturn]] void RunForkedHelper(int fd) {
  ResetSignalsInChild();
  if (fd > 3) close_range(3, fd - 1, 0);
  close_range(fd + 1, ~0U, 0);
  _exit(RunSpfHelperFromInit(fd));
}

class LocalLauncher final : public HelperLauncher {
 public:
  explicit LocalLauncher(std::vector<std::string> command) : command_(std::move(command)) {}

  Result<HelperProcess> Launch() override {
    std::vector<std::string> argv_store = command_;
    std::vector<char*> argv;
    for (std::string& a : argv_store) argv.push_back(a.data());
    argv.push_back(nullptr);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      return Status::IoError(std::string("socketpair: ") + strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
      close(sv[0]);
      close(sv[1]);
      return Status::IoError(std::string("fork: ") + strerror(errno));
    }
    if (pid == 0) {
      if (argv_store.empty()) RunForkedHelper(sv[1]);
      ExecSpfHelper(sv[1], argv.data());
    }
    close(sv[1]);
    return HelperProcess{pid, sv[0]};
  }

  void Kill(pid_t pid) override {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }

  std::optional<int> ExitStatus(pid_t pid) override {
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid) return status;
    return std::nullopt;
  }

 private:
  const std::vector<std::string> command_;
};

}  // namespace

void ExecSpfHelper(int fd, char* const* argv, int exe_fd) {
  ResetSignalsInChild();
  constexpr int kExeFd = kSpfHelperFd + 1;
  // Out of the way first, so neither lands on the other's final number.
  fd = fcntl(fd, F_DUPFD_CLOEXEC, 16);
  if (exe_fd >= 0) exe_fd = fcntl(exe_fd, F_DUPFD_CLOEXEC, 16);
  if (fd < 0 || dup2(fd, kSpfHelperFd) < 0) _exit(127);  // dup2 clears close-on-exec
  if (exe_fd >= 0 && dup3(exe_fd, kExeFd, O_CLOEXEC) < 0) _exit(127);
  close_range(kExeFd + (exe_fd >= 0 ? 1 : 0), ~0U, 0);
  if (exe_fd >= 0) {
    fexecve(kExeFd, argv, environ);
  } else {
    execv(argv[0], argv);
  }
  _exit(127);
}

std::unique_ptr<HelperLauncher> MakeLocalHelperLauncher(std::vector<std::string> helper_command) {
  return std::make_unique<LocalLauncher>(std::move(helper_command));
}

}  // namespace sendguard::spf

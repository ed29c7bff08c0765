// master/helper_service.cc — fork, switch to helper_user, exec the helper.
#include "master/helper_service.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "spf/helper_launcher.h"

namespace sendguard {
namespace {

constexpr int kExitCannotSwitch = 126;

proc::ChannelMessage Text(std::string text) { return proc::ChannelMessage{std::move(text), -1}; }

}  // namespace

HelperService::HelperService(std::vector<std::string> command, proc::Account helper_account)
    : command_(std::move(command)), account_(std::move(helper_account)) {
  if (!command_.empty() && command_[0] == "/proc/self/exe") exe_fd_ = open("/proc/self/exe", O_PATH | O_CLOEXEC);
}

HelperService::~HelperService() {
  for (const auto& [helper, worker] : owner_) kill(helper, SIGKILL);
  if (exe_fd_ >= 0) close(exe_fd_);
}

std::string HelperService::RefusalReason() const {
  if (account_.name.empty() || geteuid() == 0 || geteuid() == account_.uid) return "";
  return "SPF helpers must run as '" + account_.name + "', but sendguard runs as '" +
         proc::CurrentAccountName() + "' without root (set [spf] helper_user = \"\" to run them as '" +
         proc::CurrentAccountName() + "')";
}

proc::ChannelMessage HelperService::Launch(pid_t worker) {
  std::string refused = RefusalReason();
  if (!refused.empty()) {
    if (!refusal_logged_) SG_LOG(kError) << refused << "; SPF checks answer temperror";
    refusal_logged_ = true;
    return Text("error " + refused);
  }
  std::vector<std::string> argv_store = command_;
  std::vector<char*> argv;
  for (std::string& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  int sv[2];
  if (argv_store.empty() || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Text(std::string("error cannot start an SPF helper: ") + (argv_store.empty() ? "no command" : strerror(errno)));
  }
  pid_t pid = fork();
  if (pid == 0) {
    if (!proc::BecomeAccount(account_).ok()) _exit(kExitCannotSwitch);
    spf::ExecSpfHelper(sv[1], argv.data(), exe_fd_);
  }
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return Text(std::string("error fork: ") + strerror(errno));
  }
  owner_[pid] = worker;
  proc::ChannelMessage m = Text("spf-launched " + std::to_string(pid));
  m.fd = sv[0];  // the caller sends it, then closes it
  return m;
}

proc::ChannelMessage HelperService::KillOne(pid_t worker, pid_t helper) {
  auto it = owner_.find(helper);
  if (it == owner_.end() || it->second != worker) {
    exited_.erase(helper);
    exited_owner_.erase(helper);
    return Text("ok");
  }
  kill(helper, SIGKILL);
  int status = 0;
  while (waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
  owner_.erase(it);
  return Text("ok");
}

proc::ChannelMessage HelperService::StatusOf(pid_t worker, pid_t helper) {
  auto running = owner_.find(helper);
  int status = 0;
  if (running != owner_.end() && running->second == worker && waitpid(helper, &status, WNOHANG) == helper) {
    NoteExit(helper, status);
  }
  auto gone = exited_.find(helper);
  if (gone == exited_.end() || exited_owner_[helper] != worker) return Text("running");
  std::string answer = "exited " + std::to_string(gone->second);
  exited_.erase(gone);
  exited_owner_.erase(helper);
  return Text(answer);
}

proc::ChannelMessage HelperService::Answer(pid_t worker, const std::string& request) {
  long pid = 0;
  if (request == "spf-launch") return Launch(worker);
  if (sscanf(request.c_str(), "spf-kill %ld", &pid) == 1) return KillOne(worker, static_cast<pid_t>(pid));
  if (sscanf(request.c_str(), "spf-status %ld", &pid) == 1) return StatusOf(worker, static_cast<pid_t>(pid));
  return Text("error unknown request");
}

bool HelperService::NoteExit(pid_t pid, int status) {
  auto it = owner_.find(pid);
  if (it == owner_.end()) return false;
  if (WIFEXITED(status) && WEXITSTATUS(status) == kExitCannotSwitch) {
    SG_LOG(kError) << "SPF helper " << pid << " could not switch to user '" << account_.name
                   << "'; its check answers temperror";
  }
  exited_[pid] = status;
  exited_owner_[pid] = it->second;
  owner_.erase(it);
  return true;
}

void HelperService::KillHelpersOf(pid_t worker) {
  for (const auto& [helper, owner] : owner_) {
    if (owner == worker) kill(helper, SIGKILL);
  }
  for (auto it = exited_owner_.begin(); it != exited_owner_.end();) {
    if (it->second == worker) {
      exited_.erase(it->first);
      it = exited_owner_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace sendguard

// spf/spf_helper.cc — the helper process main loop and its privilege drop.
// Fails by exiting: the client sees EOF and answers temperror.
#include "spf/spf_helper.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>

#include "core/log.h"
#include "dns/dns_data.h"
#include "spf/spf_engine.h"
#include "spf/wire.h"

namespace sendguard::spf {
namespace {

constexpr int kExitSetup = 2;
constexpr int kExitProtocol = 3;

Status DieWithParent() {
  // If the parent died before this, our socket is closed and we exit on EOF.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return Status::Internal("PR_SET_PDEATHSIG failed");
  return Status::Ok();
}

Status SwitchUser(const std::string& user) {
  if (geteuid() != 0 || user.empty()) return Status::Ok();
  struct passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) return Status::NotFound("no such user '" + user + "' for the SPF helper");
  if (setgroups(0, nullptr) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
    return Status::Internal("cannot switch the SPF helper to user '" + user + "': " +
                            strerror(errno));
  }
  if (setuid(0) == 0) return Status::Internal("SPF helper could regain root");
  return Status::Ok();
}

Status DropPrivileges(const std::string& user) {
  Status s = SwitchUser(user);
  if (!s.ok()) return s;
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return Status::Internal("PR_SET_NO_NEW_PRIVS failed");
  }
  return Status::Ok();
}

Result<std::unique_ptr<SpfEngine>> MakeEngine(const SpfHelperOptions& options) {
  EngineOptions eo;
  eo.cache_bits = options.cache_bits;
  eo.resolver_timeout_s = options.resolver_timeout_s;
  if (!options.dns_data_file.empty()) {
    Result<std::vector<dns::DnsRecord>> records = dns::LoadDnsDataFile(options.dns_data_file);
    if (!records.ok()) return records.status();
    eo.use_static_records = true;
    eo.static_records = std::move(records).value();
  }
  return SpfEngine::Create(eo);
}

HelperResponse Serve(SpfEngine& engine, const HelperRequest& request) {
  HelperResponse response;
  response.seq = request.seq;
  for (const SpfQuery& q : request.spf) response.spf.push_back(engine.CheckHost(q.ip, q.domain));
  for (const std::string& name : request.txt) response.txt.push_back(engine.LookupTxt(name));
  return response;
}

int Fail(int out_fd, const Status& why, int exit_code = kExitSetup) {
  SG_LOG(kError) << "SPF helper: " << why.ToString();
  (void)WriteFrame(out_fd, {"error", why.ToString()});
  return exit_code;
}

int ServeLoop(SpfEngine& engine, int in_fd, int out_fd) {
  for (;;) {
    Result<Fields> frame = ReadFrame(in_fd, 0);
    if (!frame.ok()) return frame.status().code() == Status::Code::kIoError ? 0 : kExitProtocol;
    Result<HelperRequest> request = DecodeRequest(*frame);
    if (!request.ok()) return Fail(out_fd, request.status(), kExitProtocol);
    if (!WriteFrame(out_fd, EncodeResponse(Serve(engine, *request))).ok()) return 0;
  }
}

}  // namespace

int RunSpfHelperMain(int in_fd, int out_fd, const SpfHelperOptions& options) {
  signal(SIGPIPE, SIG_IGN);
  Status s = DieWithParent();
  if (!s.ok()) return Fail(out_fd, s);
  Result<std::unique_ptr<SpfEngine>> engine = MakeEngine(options);  // before dropping
  if (!engine.ok()) return Fail(out_fd, engine.status());
  s = DropPrivileges(options.run_as_user);
  if (!s.ok()) return Fail(out_fd, s);
  if (!WriteFrame(out_fd, {"ready"}).ok()) return kExitProtocol;
  return ServeLoop(**engine, in_fd, out_fd);
}

int RunSpfHelperFromInit(int fd) {
  Result<Fields> frame = ReadFrame(fd, SteadyNowMicros() + 10 * 1000000);
  if (!frame.ok()) return kExitProtocol;
  Result<SpfHelperOptions> options = DecodeInit(*frame);
  if (!options.ok()) return Fail(fd, options.status());
  return RunSpfHelperMain(fd, fd, *options);
}

int SpfHelperSubcommandMain() { return RunSpfHelperFromInit(kSpfHelperFd); }

}  // namespace sendguard::spf

// spf/spf_client.cc — helper pool: request/answer with deadlines,
// kill-and-restart on stall or crash (the launcher starts and reaps them).
#include "spf/spf_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/log.h"
#include "dns/dns_data.h"
#include "metrics/metrics.h"
#include "spf/spf_helper.h"
#include "spf/wire.h"

namespace sendguard::spf {
namespace {

constexpr int64_t kStartupMicros = 10 * 1000000;

// A name DNS could carry: 1..253 printable characters without spaces.
bool IsDomainLike(const std::string& d) {
  if (d.size() > 253) return false;
  for (char c : d) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  return true;
}

bool IsIp(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

SpfHelperOptions HelperOptions(const SpfOptions& o) {
  SpfHelperOptions h;
  h.dns_data_file = o.dns_data_file;
  h.cache_bits = o.cache_bits;
  h.resolver_timeout_s = o.resolver_timeout_s;
  h.run_as_user = o.helper_user;
  return h;
}

Result<std::shared_ptr<const PublicSuffixList>> LoadSuffixes(const std::string& path) {
  if (path.empty()) {
    SG_LOG(kWarning) << "spf: no public suffix list configured; organisational domain = "
                        "last two labels";
    return PublicSuffixList::FallbackOnly();
  }
  Result<std::shared_ptr<const PublicSuffixList>> list = PublicSuffixList::Load(path);
  if (list.ok() || list.status().code() != Status::Code::kIoError) return list;
  SG_LOG(kWarning) << "spf: " << list.status().message()
                   << "; organisational domain = last two labels";
  return PublicSuffixList::FallbackOnly();
}

RawAnswers FailedAnswers(const std::string& why) {
  RawAnswers raw;  // every answer defaults to temperror
  raw.failed = true;
  raw.failure = why;
  return raw;
}

}  // namespace

SpfClient::SpfClient(SpfOptions options, std::shared_ptr<const PublicSuffixList> psl,
                     std::unique_ptr<HelperLauncher> launcher)
    : options_(std::move(options)),
      psl_(std::move(psl)),
      launcher_(std::move(launcher)),
      slots_(options_.helpers) {}

Result<std::unique_ptr<SpfClient>> SpfClient::Start(const SpfOptions& options,
                                                    std::unique_ptr<HelperLauncher> launcher) {
  Status s = ValidateSpfOptions(options);
  if (!s.ok()) return s;
  if (!options.dns_data_file.empty()) {
    Result<std::vector<dns::DnsRecord>> records = dns::LoadDnsDataFile(options.dns_data_file);
    if (!records.ok()) return records.status();
  }
  Result<std::shared_ptr<const PublicSuffixList>> psl = LoadSuffixes(options.public_suffix_file);
  if (!psl.ok()) return psl.status();
  if (!launcher) launcher = MakeLocalHelperLauncher(options.helper_command);
  std::unique_ptr<SpfClient> client(new SpfClient(options, *psl, std::move(launcher)));
  for (Slot& slot : client->slots_) {
    s = client->Spawn(&slot, SteadyNowMicros() + kStartupMicros);
    if (!s.ok()) return s;
  }
  return client;
}

SpfClient::~SpfClient() {
  for (Slot& slot : slots_) Kill(&slot);
}

Status SpfClient::Spawn(Slot* slot, int64_t deadline_us) const {
  Result<HelperProcess> helper = launcher_->Launch();
  if (!helper.ok()) return Status::Unavailable("SPF helper did not start: " + helper.status().message());
  slot->pid = helper->pid;
  slot->fd = helper->fd;
  if (slot->started) metrics::Count(metrics::Family::kSpfHelperRestarts);
  slot->started = true;
  Status s = WriteFrame(slot->fd, EncodeInit(HelperOptions(options_)));
  Result<Fields> ready = s.ok() ? ReadFrame(slot->fd, deadline_us) : Result<Fields>(s);
  if (ready.ok() && ready->size() == 1 && (*ready)[0] == "ready") return Status::Ok();
  Kill(slot);
  if (!ready.ok()) return Status::Unavailable("SPF helper did not start: " + ready.status().ToString());
  std::string why = ready->size() == 2 && (*ready)[0] == "error" ? (*ready)[1] : "bad greeting";
  return Status::Unavailable("SPF helper did not start: " + why);
}

void SpfClient::Kill(Slot* slot) const {
  if (slot->fd >= 0) close(slot->fd);
  if (slot->pid > 0) launcher_->Kill(slot->pid);
  slot->fd = -1;
  slot->pid = -1;
}

Result<SpfClient::Slot*> SpfClient::Acquire(int64_t deadline_us) const {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    for (Slot& slot : slots_) {
      if (!slot.busy) {
        slot.busy = true;
        return &slot;
      }
    }
    auto left = std::chrono::microseconds(deadline_us - SteadyNowMicros());
    if (left.count() <= 0 || slot_free_.wait_for(lock, left) == std::cv_status::timeout) {
      return Status::Unavailable("no SPF helper free before the deadline");
    }
  }
}

void SpfClient::Release(Slot* slot) const {
  std::lock_guard<std::mutex> lock(mu_);
  slot->busy = false;
  slot_free_.notify_one();
}

// Waits (until the deadline) for a helper whose socket reached EOF to exit;
// true when it died of SIGKILL, i.e. was killed from outside (its parent
// thread's exit through PR_SET_PDEATHSIG, an operator) rather than crashing
// on our request.
bool SpfClient::ReapAfterEof(Slot* slot, int64_t deadline_us) const {
  pid_t pid = slot->pid;
  std::optional<int> exited;
  while (pid > 0 && !exited && SteadyNowMicros() < deadline_us) {
    exited = launcher_->ExitStatus(pid);
    if (!exited) usleep(500);
  }
  bool reaped = exited.has_value();
  int status = exited.value_or(0);
  if (reaped) slot->pid = -1;
  Kill(slot);
  return reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

// Makes sure the slot has a live helper: reaps one that exited while idle.
Status SpfClient::EnsureRunning(Slot* slot, int64_t deadline_us) const {
  pid_t pid = slot->pid;
  if (pid > 0 && launcher_->ExitStatus(pid)) slot->pid = -1;
  if (slot->pid > 0) return Status::Ok();
  Kill(slot);
  return Spawn(slot, deadline_us);
}

Result<HelperResponse> SpfClient::TryOnce(Slot* slot, const HelperRequest& request,
                                          int64_t deadline_us, bool* killed_from_outside) const {
  Status s = EnsureRunning(slot, deadline_us);
  if (!s.ok()) return s;
  s = WriteFrame(slot->fd, EncodeRequest(request));
  Result<Fields> frame = s.ok() ? ReadFrame(slot->fd, deadline_us) : Result<Fields>(s);
  if (!frame.ok() && frame.status().code() == Status::Code::kIoError) {
    *killed_from_outside = ReapAfterEof(slot, deadline_us);
    return frame.status();
  }
  Result<HelperResponse> response =
      frame.ok() ? DecodeResponse(*frame) : Result<HelperResponse>(frame.status());
  if (response.ok() && (response->seq != request.seq ||
                        response->spf.size() != request.spf.size() ||
                        response->txt.size() != request.txt.size())) {
    response = Status::Internal("SPF helper answered out of step");
  }
  if (!response.ok()) Kill(slot);  // stalled or talking nonsense
  return response;
}

// One request/answer on a slot we own. A helper that was killed from outside
// gets one retry with a fresh helper; one that crashed on this request does
// not (the same record would crash the next one): that answer is temperror.
Result<HelperResponse> SpfClient::RoundTrip(Slot* slot, const HelperRequest& request,
                                            int64_t deadline_us) const {
  bool killed_from_outside = false;
  Result<HelperResponse> response = TryOnce(slot, request, deadline_us, &killed_from_outside);
  if (response.ok() || !killed_from_outside) return response;
  return TryOnce(slot, request, deadline_us, &killed_from_outside);
}

RawAnswers SpfClient::Ask(const PreflightRequest& request,
                          const std::vector<std::string>& txt_names, int64_t deadline_us) const {
  HelperRequest hr;
  if (!request.envelope_domain.empty()) {
    for (const std::string& ip : options_.egress_ips) hr.spf.push_back({ip, request.envelope_domain});
    if (request.check_client) hr.spf.push_back({request.client_ip, request.envelope_domain});
  }
  hr.txt = txt_names;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hr.seq = next_seq_++;
  }
  Result<Slot*> slot = Acquire(deadline_us);
  if (!slot.ok()) metrics::Count(metrics::Family::kSpfTimeouts);
  if (!slot.ok()) return FailedAnswers(slot.status().message());
  Result<HelperResponse> resp = RoundTrip(*slot, hr, deadline_us);
  Release(*slot);
  if (!resp.ok() && SteadyNowMicros() >= deadline_us) metrics::Count(metrics::Family::kSpfTimeouts);
  if (!resp.ok()) return FailedAnswers(resp.status().ToString());
  RawAnswers raw;
  size_t n_egress = request.envelope_domain.empty() ? 0 : options_.egress_ips.size();
  raw.egress.assign(resp->spf.begin(), resp->spf.begin() + n_egress);
  if (request.check_client && !request.envelope_domain.empty()) raw.client = resp->spf[n_egress];
  if (request.check_client && request.envelope_domain.empty()) raw.client.result = SpfResult::kNone;
  if (!resp->txt.empty()) raw.dmarc_from = resp->txt[0];
  if (resp->txt.size() > 1) raw.dmarc_org = resp->txt[1];
  return raw;
}

Result<PreflightResult> SpfClient::Check(const PreflightRequest& request) const {
  int64_t deadline_us = SteadyNowMicros() + int64_t{options_.timeout_ms} * 1000;
  if (request.check_client && !IsIp(request.client_ip)) {
    return Status::InvalidArgument("spf: client address '" + request.client_ip + "' is not an IP");
  }
  if (!IsDomainLike(request.envelope_domain) || !IsDomainLike(request.from_domain)) {
    return Status::InvalidArgument("spf: sender domain is not a DNS name");
  }
  for (const std::string& d : request.dkim_domains) {
    if (!IsDomainLike(d)) return Status::InvalidArgument("spf: DKIM domain is not a DNS name");
  }
  std::vector<std::string> txt_names = DmarcLookupNames(request, *psl_);
  RawAnswers raw = Ask(request, txt_names, deadline_us);
  if (raw.failed) {
    SG_LOG(kWarning) << "spf: pre-flight for " << request.envelope_domain << "/"
                     << request.from_domain << " answered temperror: " << raw.failure;
    if (!options_.egress_ips.empty() && !request.envelope_domain.empty()) {
      raw.egress.resize(options_.egress_ips.size());
    }
  }
  return BuildPreflightResult(request, raw, options_, *psl_);
}

std::vector<pid_t> SpfClient::HelperPids() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<pid_t> pids;
  for (const Slot& slot : slots_) pids.push_back(slot.pid);
  return pids;
}

}  // namespace sendguard::spf

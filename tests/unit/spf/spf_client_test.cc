// Tests for spf/spf_client.h: the real helper process (forked, or exec'd as
// this test binary), static DNS data, deadlines, crash restarts, concurrency.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "spf/decide.h"
#include "spf/spf_client.h"
#include "spf/spf_helper.h"
#include "spf/wire.h"

namespace sendguard::spf {
namespace {

// When exec'd as a helper (see ExecOptions), this binary is the helper.
struct ExecHelperHook {
  ExecHelperHook() {
    if (getenv("SG_SPF_TEST_HELPER") != nullptr) _exit(SpfHelperSubcommandMain());
  }
} exec_helper_hook;

const char* kZone = "tests/spf/preflight.zone";

SpfOptions BaseOptions() {
  SpfOptions o;
  o.egress_ips = {"192.0.2.10", "2001:db8::10"};
  o.dns_data_file = kZone;
  o.timeout_ms = 2000;
  o.helpers = 1;
  o.include_hint = "include:_spf.isp.example";
  o.egress_fail_action = Action::kReject;
  o.dmarc_action = Action::kTempFail;
  o.spoof_action = Action::kReject;
  return o;
}

std::string SelfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  BOOST_REQUIRE(n > 0);
  return std::string(buf, static_cast<size_t>(n));
}

SpfOptions ExecOptions() {
  SpfOptions o = BaseOptions();
  o.helper_command = {"/usr/bin/env", "SG_SPF_TEST_HELPER=1", SelfExe()};
  return o;
}

std::unique_ptr<SpfClient> StartClient(const SpfOptions& o) {
  Result<std::unique_ptr<SpfClient>> c = SpfClient::Start(o);
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  return std::move(c).value();
}

PreflightResult MustCheck(const SpfClient& client, const PreflightRequest& req) {
  Result<PreflightResult> r = client.Check(req);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST_MESSAGE(req.envelope_domain << ": " << r->LogFields() << " | " << r->auth_results);
  return *r;
}

PreflightRequest Req(const std::string& envelope, const std::string& from) {
  PreflightRequest r;
  r.envelope_domain = envelope;
  r.from_domain = from;
  return r;
}

SpfResult EgressOf(const SpfClient& client, const std::string& domain) {
  return WorstEgress(MustCheck(client, Req(domain, "")).egress);
}

int64_t ElapsedMs(int64_t start_us) { return (SteadyNowMicros() - start_us) / 1000; }

}  // namespace

BOOST_AUTO_TEST_CASE(client_spf_results_through_helper) {
  auto client = StartClient(BaseOptions());
  BOOST_TEST(EgressOf(*client, "pass.example") == SpfResult::kPass);
  BOOST_TEST(EgressOf(*client, "fail.example") == SpfResult::kFail);
  BOOST_TEST(EgressOf(*client, "softfail.example") == SpfResult::kSoftFail);
  BOOST_TEST(EgressOf(*client, "neutral.example") == SpfResult::kNeutral);
  BOOST_TEST(EgressOf(*client, "nospf.example") == SpfResult::kNone);
  BOOST_TEST(EgressOf(*client, "loop.example") == SpfResult::kPermError);
  BOOST_TEST(EgressOf(*client, "syntax.example") == SpfResult::kPermError);
  BOOST_TEST(EgressOf(*client, "flaky.example") == SpfResult::kTempError);
  BOOST_TEST(EgressOf(*client, "customer.example") == SpfResult::kPass);  // include chain
}

BOOST_AUTO_TEST_CASE(client_egress_fail_tells_what_to_publish) {
  SpfOptions o = BaseOptions();
  auto client = StartClient(o);
  PreflightRequest req = Req("fail.example", "");
  PreflightResult r = MustCheck(*client, req);
  BOOST_TEST(r.explanation ==
             "publish \"include:_spf.isp.example\" or \"ip4:192.0.2.10 ip6:2001:db8::10\" in the "
             "SPF record of fail.example");
  Decision d = Decide(req, r, o);
  BOOST_TEST(d.action == Action::kReject);
  BOOST_TEST(d.reason == "spf-egress");
  BOOST_TEST(d.ReplyLine().rfind("550 5.7.1 fail.example's SPF (fail) does not authorise", 0) == 0);
  BOOST_TEST(r.auth_results.find("spf=fail") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(client_dmarc_strict_vs_relaxed) {
  auto client = StartClient(BaseOptions());
  // pass.example: adkim=s aspf=s. SPF passes and the envelope equals From.
  PreflightResult exact = MustCheck(*client, Req("pass.example", "pass.example"));
  BOOST_TEST(exact.dmarc.aligned);
  BOOST_TEST(exact.dmarc.spf_aligned);
  // Strict: a subdomain envelope and a parent DKIM d= do not align.
  PreflightRequest sub = Req("bounce.pass.example", "pass.example");
  sub.dkim_domains = {"mail.pass.example"};
  PreflightResult strict = MustCheck(*client, sub);
  BOOST_TEST(strict.dmarc.policy == "reject");
  BOOST_TEST(!strict.dmarc.dkim_aligned);
  BOOST_TEST(!strict.dmarc.aligned);
  // customer.example: relaxed; DKIM d= on a subdomain aligns.
  PreflightRequest relaxed = Req("other.example", "customer.example");
  relaxed.dkim_domains = {"mail.customer.example"};
  PreflightResult r = MustCheck(*client, relaxed);
  BOOST_TEST(r.dmarc.dkim_aligned);
  BOOST_TEST(r.dmarc.aligned);
  BOOST_TEST(r.auth_results.find("dmarc=pass") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(client_dmarc_org_domain_fallback) {
  auto client = StartClient(BaseOptions());
  // No _dmarc.news.shop.co.uk: the org domain shop.co.uk (co.uk is a public
  // suffix) applies, with its sp=reject.
  PreflightRequest req = Req("fail.example", "news.shop.co.uk");
  PreflightResult r = MustCheck(*client, req);
  BOOST_TEST(r.org_domain == "shop.co.uk");
  BOOST_TEST(r.dmarc.record_domain == "shop.co.uk");
  BOOST_TEST(r.dmarc.policy == "reject");
  BOOST_TEST(!r.dmarc.aligned);
  Decision d = Decide(req, r, BaseOptions());
  BOOST_TEST(d.action == Action::kReject);  // egress reject outranks DMARC tempfail
  // Mail from the customer's own subdomain, SPF-passing via the org: aligned.
  PreflightResult ok = MustCheck(*client, Req("customer.example", "mail.customer.example"));
  BOOST_TEST(ok.dmarc.record_domain == "customer.example");
  BOOST_TEST(ok.dmarc.spf_aligned);
}

BOOST_AUTO_TEST_CASE(client_spoof_check_of_trusted_client) {
  SpfOptions o = BaseOptions();
  auto client = StartClient(o);
  PreflightRequest req = Req("customer.example", "");
  req.check_client = true;
  req.client_ip = "198.51.100.99";
  PreflightResult r = MustCheck(*client, req);
  BOOST_TEST(r.client == SpfResult::kFail);
  Decision d = Decide(req, r, o);
  BOOST_TEST(d.reason == "spoof");
  BOOST_TEST(d.ReplyLine() ==
             "550 5.7.1 customer.example's SPF (fail) does not authorise 198.51.100.99 to send "
             "as customer.example");
  req.client_ip = "192.0.2.5";  // inside the ISP's block
  BOOST_TEST(MustCheck(*client, req).client == SpfResult::kPass);
  req.client_ip = "not-an-ip";
  BOOST_TEST(!client->Check(req).ok());
  req.client_ip = "192.0.2.5";
  req.envelope_domain = "bad domain.example";
  BOOST_TEST(!client->Check(req).ok());
  req.envelope_domain = std::string(300, 'a');
  BOOST_TEST(!client->Check(req).ok());
}

BOOST_AUTO_TEST_CASE(client_answers_within_timeout_and_recovers) {
  SpfOptions o = BaseOptions();
  o.timeout_ms = 300;
  o.temperror_action = Action::kTempFail;
  auto client = StartClient(o);
  pid_t before = client->HelperPids()[0];
  int64_t start = SteadyNowMicros();
  PreflightRequest req = Req("slowinclude.example", "");
  PreflightResult r = MustCheck(*client, req);
  int64_t ms = ElapsedMs(start);
  BOOST_TEST_MESSAGE("stalled check answered after " << ms << " ms");
  BOOST_TEST(ms >= 290);
  BOOST_TEST(ms < 800);
  BOOST_TEST(r.helper_failed);
  BOOST_TEST(WorstEgress(r.egress) == SpfResult::kTempError);
  Decision d = Decide(req, r, o);
  BOOST_TEST(d.action == Action::kTempFail);
  BOOST_TEST(d.ReplyLine().rfind("451 4.4.3 ", 0) == 0);
  // Default temperror action is none.
  BOOST_TEST(Decide(req, r, BaseOptions()).action == Action::kNone);
  // The stalled helper was killed; the next check gets a fresh one.
  BOOST_TEST(EgressOf(*client, "pass.example") == SpfResult::kPass);
  BOOST_TEST(client->HelperPids()[0] != before);
  BOOST_TEST(kill(before, 0) != 0);  // gone and reaped
}

BOOST_AUTO_TEST_CASE(client_restarts_a_helper_killed_while_idle) {
  auto client = StartClient(BaseOptions());
  // Killed from outside (as PR_SET_PDEATHSIG does when the thread that
  // started it exits): the next check restarts it, whether the death is
  // noticed before the request is written or only by the EOF after it.
  for (int delay_us : {20000, 0, 0, 0}) {
    pid_t pid = client->HelperPids()[0];
    BOOST_REQUIRE(pid > 0);
    BOOST_REQUIRE(kill(pid, SIGKILL) == 0);
    if (delay_us) usleep(delay_us);
    BOOST_TEST(EgressOf(*client, "pass.example") == SpfResult::kPass);
    BOOST_TEST(client->HelperPids()[0] != pid);
  }
}

BOOST_AUTO_TEST_CASE(client_crash_mid_request_is_temperror_not_a_wait) {
  SpfOptions o = BaseOptions();
  o.timeout_ms = 5000;
  auto client = StartClient(o);
  pid_t pid = client->HelperPids()[0];
  std::thread killer([pid] {
    usleep(100000);
    kill(pid, SIGSEGV);  // what a libspf2 memory bug would look like
  });
  int64_t start = SteadyNowMicros();
  PreflightResult r = MustCheck(*client, Req("slow.example", ""));
  killer.join();
  BOOST_TEST(r.helper_failed);
  BOOST_TEST(ElapsedMs(start) < 2000);
  BOOST_TEST(EgressOf(*client, "fail.example") == SpfResult::kFail);
}

BOOST_AUTO_TEST_CASE(client_exec_mode_runs_unprivileged_and_concurrently) {
  SpfOptions o = ExecOptions();
  o.helpers = 2;
  auto client = StartClient(o);
  for (pid_t pid : client->HelperPids()) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line) && line.rfind("Uid:", 0) != 0) {
    }
    if (geteuid() == 0) BOOST_TEST(line.find("\t0\t") == std::string::npos, line);
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&client, &wrong, t] {
      for (int i = 0; i < 25; ++i) {
        const char* domain = (i + t) % 2 ? "customer.example" : "fail.example";
        Result<PreflightResult> r = client->Check(Req(domain, domain));
        SpfResult want = (i + t) % 2 ? SpfResult::kPass : SpfResult::kFail;
        if (!r.ok() || WorstEgress(r->egress) != want) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(wrong.load() == 0);
}

BOOST_AUTO_TEST_CASE(client_start_reports_bad_files) {
  std::string path = "/tmp/sg_spf_bad_" + std::to_string(getpid()) + ".zone";
  {
    std::ofstream out(path);
    out << "ok.example TXT \"v=spf1 -all\"\nbad.example A 999.1.1.1\n";
  }
  SpfOptions o = BaseOptions();
  o.dns_data_file = path;
  Result<std::unique_ptr<SpfClient>> c = SpfClient::Start(o);
  unlink(path.c_str());
  BOOST_REQUIRE(!c.ok());
  BOOST_TEST(c.status().message() == path + ":2: bad address '999.1.1.1'");
  o = BaseOptions();
  o.egress_ips = {"relay.example"};
  BOOST_TEST(!SpfClient::Start(o).ok());
  o = BaseOptions();
  o.helper_command = {"/nonexistent/sendguard", "spf-helper"};
  BOOST_TEST(!SpfClient::Start(o).ok());
  if (geteuid() == 0) {
    o = BaseOptions();
    o.helper_user = "no-such-user-sg";
    Result<std::unique_ptr<SpfClient>> bad_user = SpfClient::Start(o);
    BOOST_REQUIRE(!bad_user.ok());
    BOOST_TEST(bad_user.status().message().find("no such user 'no-such-user-sg'") !=
               std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(client_without_public_suffix_list_uses_last_two_labels) {
  SpfOptions o = BaseOptions();
  o.public_suffix_file = "/nonexistent/psl.dat";
  auto client = StartClient(o);
  PreflightResult r = MustCheck(*client, Req("fail.example", "news.shop.co.uk"));
  BOOST_TEST(r.org_domain == "co.uk");
  BOOST_TEST((r.dmarc.state == DmarcOutcome::State::kNoRecord));
}

}  // namespace sendguard::spf

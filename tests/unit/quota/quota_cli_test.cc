// Tests for quota/quota_cli.h: each subcommand against a real store, human
// and JSON output, usage errors and exit codes.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "quota/lmdb_quota_store.h"
#include "quota/message_quota.h"
#include "quota/quota_cli.h"
#include "quota_test_util.h"

using namespace sendguard::quota;
using sendguard::ManualClock;
using sendguard::quota::testing::TempDir;

namespace {

struct CliFixture {
  TempDir dir;
  QuotaOptions options;
  ManualClock clock{1700000000LL * 1000000};
  std::ostringstream out, err;

  CliFixture() {
    options.state_dir = dir.path() + "/state";
    options.policy_file = dir.path() + "/quota.conf";
    std::ofstream(options.policy_file)
        << "class default { messages 10/1h; recipients 100/1d; rcpt_per_msg 5 }\n"
           "class bulk { messages 1000/1h }\n"
           "domain example.org { messages 50/1h }\n";
  }

  int Run(std::vector<std::string> args) {
    out.str("");
    err.str("");
    return RunQuotaCommand(args, options, clock, out, err);
  }

  void SendMessages(const std::string& login, int n, int rcpts) {
    auto store = LmdbQuotaStore::Open(options.state_dir, LmdbStoreOptions::From(options));
    auto policy = QuotaPolicy::Load(options.policy_file);
    for (int i = 0; i < n; ++i) {
      MessageQuota q(*policy, store->get(), *Identity::FromLogin(login, options), clock,
                     options);
      for (int r = 0; r < rcpts; ++r) q.AddRecipient("r@d");
      q.CheckSize(1024);
      BOOST_REQUIRE(q.Commit().ok());
    }
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(quota_cli, CliFixture)

// Mail counted under one spelling of an IDN domain shows under every spelling,
// with the canonical name and the one people write.
BOOST_AUTO_TEST_CASE(show_agrees_in_every_idn_spelling) {
  SendMessages("demo@exämple.org", 2, 1);
  SendMessages("demo@xn--exmple-cua.org", 1, 1);
  for (const char* who : {"demo@exämple.org", "demo@XN--EXMPLE-CUA.org"}) {
    BOOST_TEST(Run({"show", who}) == 0);
    BOOST_TEST(out.str().find("user:       demo@xn--exmple-cua.org (demo@exämple.org)\n") == 0u, out.str());
    BOOST_TEST(out.str().find("last hour:  3 messages") != std::string::npos, who);
  }
  BOOST_TEST(Run({"show", "demo@exämple.org", "--json"}) == 0);
  BOOST_TEST(out.str().find("\"user\":\"demo@xn--exmple-cua.org\",\"user_display\":\"demo@exämple.org\"") == 1u);
}

BOOST_AUTO_TEST_CASE(show_human_and_json) {
  SendMessages("Alice@Example.org", 3, 2);
  BOOST_TEST(Run({"show", "alice@example.org"}) == 0);
  std::string human = out.str();
  BOOST_TEST(human.find("class:      default (policy match: default)") != std::string::npos);
  BOOST_TEST(human.find("10 messages/1h") != std::string::npos);
  BOOST_TEST(human.find("used 3") != std::string::npos);
  BOOST_TEST(human.find("domain example.org (all its users):") != std::string::npos);
  BOOST_TEST(human.find("last hour:  3 messages, 6 recipients, 3KB") != std::string::npos);
  BOOST_TEST(Run({"show", "alice@example.org", "--json"}) == 0);
  std::string json = out.str();
  BOOST_TEST(json.find("\"user\":\"alice@example.org\",\"user_display\":\"alice@example.org\","
                       "\"class\":\"default\"") == 1u);
  BOOST_TEST(json.find("{\"metric\":\"messages\",\"limit\":10,\"window_seconds\":3600,"
                       "\"resolution_seconds\":60,\"used\":3,\"pending\":0,\"frees_at\":0}") !=
             std::string::npos);
  BOOST_TEST(json.find("\"last_hour\":{\"messages\":3,\"recipients\":6,\"bytes\":3072}") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(show_full_quota_names_the_time) {
  SendMessages("full@x.example", 10, 1);
  BOOST_TEST(Run({"show", "full@x.example"}) == 0);
  BOOST_TEST(out.str().find("full until 23:14 UTC") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(top_orders_by_messages) {
  SendMessages("light@x.example", 1, 1);
  SendMessages("heavy@x.example", 4, 1);
  BOOST_TEST(Run({"top", "-n", "2", "--json"}) == 0);
  std::string json = out.str();
  BOOST_TEST(json.find("{\"kind\":\"user\",\"name\":\"heavy@x.example\",\"last_hour\":"
                       "{\"messages\":4,") == 1u);
  BOOST_TEST(json.find("light@x.example") != std::string::npos);
  BOOST_TEST(Run({"top", "-n", "1"}) == 0);
  BOOST_TEST(out.str().find("heavy@x.example") != std::string::npos);
  BOOST_TEST(out.str().find("light@x.example") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(reset_forgets_counts) {
  SendMessages("r@x.example", 2, 1);
  BOOST_TEST(Run({"reset", "R@x.example"}) == 0);
  BOOST_TEST(Run({"show", "r@x.example", "--json"}) == 0);
  BOOST_TEST(out.str().find("\"used\":0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(set_and_clear_class) {
  BOOST_TEST(Run({"set-class", "s@x.example", "bulk"}) == 0);
  BOOST_TEST(Run({"show", "s@x.example", "--json"}) == 0);
  BOOST_TEST(out.str().find("\"class\":\"bulk\",\"class_source\":\"override\"") !=
             std::string::npos);
  BOOST_TEST(Run({"set-class", "s@x.example", "nosuch"}) == 2);
  BOOST_TEST(err.str().find("unknown class 'nosuch'") != std::string::npos);
  BOOST_TEST(Run({"clear-class", "s@x.example"}) == 0);
  BOOST_TEST(Run({"show", "s@x.example", "--json"}) == 0);
  BOOST_TEST(out.str().find("\"class\":\"default\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(usage_and_runtime_errors) {
  BOOST_TEST(Run({}) == 2);
  BOOST_TEST(Run({"frobnicate"}) == 2);
  BOOST_TEST(Run({"show"}) == 2);
  BOOST_TEST(Run({"top", "-n", "0"}) == 2);
  BOOST_TEST(Run({"top", "--bogus"}) == 2);
  BOOST_TEST(err.str().find("usage: sendguard quota show") != std::string::npos);
  options.policy_file = dir.path() + "/missing.conf";
  BOOST_TEST(Run({"show", "a@b"}) == 1);
  BOOST_TEST(err.str().find("missing.conf") != std::string::npos);
  options.state_dir = "/proc/version/state";
  BOOST_TEST(Run({"reset", "a@b"}) == 1);
}

BOOST_AUTO_TEST_SUITE_END()

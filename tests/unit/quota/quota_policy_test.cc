// Tests for quota/quota_policy.h: the shipped files, lookup precedence and
// file:line errors for bad input.
#include <boost/test/unit_test.hpp>

#include "quota/quota_policy.h"
#include "quota_test_util.h"

using namespace sendguard::quota;
using sendguard::quota::testing::MustParse;

namespace {

std::string ErrorOf(const std::string& text) {
  auto policy = QuotaPolicy::Parse(text, "q.conf");
  return policy.ok() ? std::string("(parsed)") : policy.status().message();
}

const char* kPolicy = R"(
class default { messages 100/1h; recipients 1000/1d; bytes 50MB/1d; rcpt_per_msg 100; max_size 25MB }
class trusted {
  messages 1000/1h
}
class bulk { messages 5000/1h; action quarantine; }
class edu { messages 10/1h }
class suspended { messages 0/1h; action reject }
domain example.net { messages 50/1h }
domain * { recipients 9/1m resolution 1s }
users {
  alice@example.org  bulk
  @example.org       trusted
  *@*.edu            edu
  *@*                suspended
}
)";

}  // namespace

BOOST_AUTO_TEST_CASE(quota_policy_shipped_files_parse) {
  for (const char* path : {"policies/quota.conf", "policies/quota-example-isp.conf"}) {
    auto policy = QuotaPolicy::Load(path);
    BOOST_TEST_INFO(path);
    BOOST_REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  }
  auto policy = *QuotaPolicy::Load("policies/quota.conf");
  for (const char* name : {"default", "trusted", "bulk", "suspended"}) {
    BOOST_TEST(policy->FindClass(name) != nullptr);
  }
  const QuotaClass* d = policy->FindClass("default");
  BOOST_TEST(d->limits.size() == 4u);
  BOOST_TEST(d->rcpt_per_msg == 100);
  BOOST_TEST(d->max_size == 25LL << 20);
  BOOST_TEST(policy->FindClass("suspended")->limits[0].limit == 0);
  BOOST_TEST(policy->FindClass("bulk")->action == OverQuotaAction::kQuarantine);
}

BOOST_AUTO_TEST_CASE(quota_policy_parses_limits_and_settings) {
  auto policy = MustParse(kPolicy);
  const QuotaClass* d = policy->FindClass("default");
  BOOST_REQUIRE(d != nullptr);
  BOOST_REQUIRE(d->limits.size() == 3u);
  BOOST_TEST(d->limits[0].Describe() == "100 messages/1h");
  BOOST_TEST(d->limits[0].resolution_seconds == 60);
  BOOST_TEST(d->limits[1].metric == Metric::kRecipients);
  BOOST_TEST(d->limits[1].resolution_seconds == 1440);
  BOOST_TEST(d->limits[2].limit == 50LL << 20);
  BOOST_TEST(d->action == OverQuotaAction::kTempfail);
  BOOST_TEST(policy->FindClass("suspended")->action == OverQuotaAction::kReject);
  const auto* star = policy->DomainLimits("other.com");
  BOOST_REQUIRE(star != nullptr);
  BOOST_TEST((*star)[0].resolution_seconds == 1);
  BOOST_TEST(policy->DomainLimits("EXAMPLE.net")->at(0).limit == 50);
  BOOST_TEST(policy->DomainLimits("") == nullptr);
}

BOOST_AUTO_TEST_CASE(quota_policy_lookup_precedence) {
  auto policy = MustParse(kPolicy);
  std::string by;
  BOOST_TEST(policy->ClassFor("alice@example.org", &by)->name == "bulk");  // exact > @domain
  BOOST_TEST(by == "alice@example.org");
  BOOST_TEST(policy->ClassFor("Bob@Example.ORG", &by)->name == "trusted");  // case-insensitive
  BOOST_TEST(by == "@example.org");
  BOOST_TEST(policy->ClassFor("carol@cs.uni.edu", &by)->name == "edu");  // first wildcard
  BOOST_TEST(policy->ClassFor("dave@example.com", &by)->name == "suspended");
  BOOST_TEST(by == "*@*");
  BOOST_TEST(policy->ClassFor("nodomain", &by)->name == "default");
  BOOST_TEST(by == "default");
}

BOOST_AUTO_TEST_CASE(quota_policy_without_default_has_unknown_users) {
  auto policy = MustParse("class a { messages 1/1h }\nusers { x@y a }\n");
  BOOST_TEST(policy->ClassFor("x@y", nullptr)->name == "a");
  BOOST_TEST(policy->ClassFor("z@y", nullptr) == nullptr);
}

BOOST_AUTO_TEST_CASE(quota_policy_errors_name_file_and_line) {
  BOOST_TEST(ErrorOf("class a {\n messages 1/1h\n}\nusers {\n x@y  nosuch\n}\n") ==
             "q.conf:5: unknown class 'nosuch' for 'x@y'");
  BOOST_TEST(ErrorOf("class a {\n messages 10/1y\n}\n") ==
             "q.conf:2: bad window '1y' (examples: 30s, 15m, 1h, 1d, 1w)");
  BOOST_TEST(ErrorOf("class a {\n\n messages -5/1h\n}\n") == "q.conf:3: negative limit '-5'");
  BOOST_TEST(ErrorOf("class a { rcpt_per_msg -1 }") == "q.conf:1: negative limit '-1'");
  BOOST_TEST(ErrorOf("class a { max_size -1MB }") == "q.conf:1: negative limit '-1MB'");
  BOOST_TEST(ErrorOf("class a { messages 100 }") ==
             "q.conf:1: 'messages' wants LIMIT/WINDOW, e.g. 100/1h, got '100'");
  BOOST_TEST(ErrorOf("class a { messages 1/0s }").find("q.conf:1: bad window '0s'") == 0u);
  BOOST_TEST(ErrorOf("class a { colour blue }") == "q.conf:1: unknown setting 'colour'");
  BOOST_TEST(ErrorOf("class a { action drop }") ==
             "q.conf:1: action must be tempfail, reject or quarantine, got 'drop'");
  BOOST_TEST(ErrorOf("class a {\n messages 1/1h\n") == "q.conf:1: class 'a' is not closed with '}'");
  BOOST_TEST(ErrorOf("class a { }\nclass a { }") == "q.conf:2: class 'a' defined twice");
  BOOST_TEST(ErrorOf("\n\n}") == "q.conf:3: '}' without an open block");
  BOOST_TEST(ErrorOf("quota 5") ==
             "q.conf:1: expected 'class NAME {', 'domain NAME {' or 'users {', got 'quota'");
  BOOST_TEST(ErrorOf("domain x { rcpt_per_msg 5 }").find("q.conf:1: domain blocks") == 0u);
  BOOST_TEST(ErrorOf("class a {}\nusers {\n a@b a extra\n}").find("q.conf:3: users entries") ==
             0u);
  BOOST_TEST(ErrorOf("class a { messages 5/1m resolution 2m }").find("q.conf:1: 'resolution'") ==
             0u);
}

BOOST_AUTO_TEST_CASE(quota_policy_load_reports_missing_file) {
  auto policy = QuotaPolicy::Load("/nonexistent/quota.conf");
  BOOST_TEST(!policy.ok());
  BOOST_TEST((policy.status().code() == sendguard::Status::Code::kIoError));
}

// User-map patterns and domain blocks may spell an IDN domain either way;
// lookups of the canonical identity find them. Not IDNA: an error at file:line.
BOOST_AUTO_TEST_CASE(quota_policy_idn_spellings) {
  auto policy = MustParse(R"(
class default { messages 100/1h }
class bulk { messages 5000/1h }
domain exämple.org { messages 900/1h }
users {
  demo@EXÄMPLE.org bulk;
  @bücher.example bulk;
}
)");
  std::string matched;
  const QuotaClass* c = policy->ClassFor("demo@xn--exmple-cua.org", &matched);
  BOOST_REQUIRE(c != nullptr);
  BOOST_TEST(c->name == "bulk");
  c = policy->ClassFor("x@xn--bcher-kva.example", &matched);
  BOOST_REQUIRE(c != nullptr);
  BOOST_TEST(c->name == "bulk");
  BOOST_TEST(policy->DomainLimits("xn--exmple-cua.org") != nullptr);
  BOOST_TEST(ErrorOf("class default { messages 1/1h }\nusers {\n  a@xn--zz.org default;\n}\n")
                 .find("q.conf:3: 'xn--zz.org' is not a valid IDNA domain") == 0);
  BOOST_TEST(ErrorOf("class default { messages 1/1h }\ndomain xn--zz.org { messages 1/1h }\n")
                 .find("q.conf:2: 'xn--zz.org' is not a valid IDNA domain") == 0);
}

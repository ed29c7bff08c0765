// Tests for spf/spf_engine.h over the static DNS data in tests/spf/.
#include <boost/test/unit_test.hpp>

#include "dns/dns_data.h"
#include "spf/spf_engine.h"

namespace sendguard::spf {
namespace {

std::unique_ptr<SpfEngine> MakeEngine() {
  Result<std::vector<DnsRecord>> records = dns::LoadDnsDataFile("tests/spf/preflight.zone");
  BOOST_REQUIRE_MESSAGE(records.ok(), records.status().ToString());
  EngineOptions options;
  options.use_static_records = true;
  options.static_records = *records;
  Result<std::unique_ptr<SpfEngine>> engine = SpfEngine::Create(options);
  BOOST_REQUIRE_MESSAGE(engine.ok(), engine.status().ToString());
  return std::move(engine).value();
}

SpfResult Check(SpfEngine& engine, const std::string& ip, const std::string& domain) {
  SpfAnswer answer = engine.CheckHost(ip, domain);
  BOOST_TEST_MESSAGE(domain << " from " << ip << ": " << SpfResultName(answer.result) << " ("
                            << answer.comment << ")");
  return answer.result;
}

}  // namespace

BOOST_AUTO_TEST_CASE(engine_plain_results) {
  auto engine = MakeEngine();
  BOOST_TEST(Check(*engine, "192.0.2.10", "pass.example") == SpfResult::kPass);
  BOOST_TEST(Check(*engine, "2001:db8::10", "pass.example") == SpfResult::kPass);
  BOOST_TEST(Check(*engine, "192.0.2.11", "pass.example") == SpfResult::kFail);
  BOOST_TEST(Check(*engine, "192.0.2.10", "fail.example") == SpfResult::kFail);
  BOOST_TEST(Check(*engine, "192.0.2.10", "softfail.example") == SpfResult::kSoftFail);
  BOOST_TEST(Check(*engine, "192.0.2.10", "neutral.example") == SpfResult::kNeutral);
  BOOST_TEST(Check(*engine, "192.0.2.10", "nospf.example") == SpfResult::kNone);
  BOOST_TEST(Check(*engine, "192.0.2.10", "nonexistent.example") == SpfResult::kNone);
}

BOOST_AUTO_TEST_CASE(engine_errors) {
  auto engine = MakeEngine();
  BOOST_TEST(Check(*engine, "192.0.2.10", "syntax.example") == SpfResult::kPermError);
  BOOST_TEST(Check(*engine, "192.0.2.10", "loop.example") == SpfResult::kPermError);
  BOOST_TEST(Check(*engine, "192.0.2.10", "badinclude.example") == SpfResult::kPermError);
  BOOST_TEST(Check(*engine, "192.0.2.10", "flaky.example") == SpfResult::kTempError);
  BOOST_TEST(Check(*engine, "192.0.2.10", "flakyinclude.example") == SpfResult::kTempError);
  BOOST_TEST(Check(*engine, "not-an-ip", "pass.example") == SpfResult::kPermError);
}

BOOST_AUTO_TEST_CASE(engine_include_chain_and_a_mx) {
  auto engine = MakeEngine();
  BOOST_TEST(Check(*engine, "192.0.2.10", "customer.example") == SpfResult::kPass);
  BOOST_TEST(Check(*engine, "2001:db8::10", "customer.example") == SpfResult::kPass);
  BOOST_TEST(Check(*engine, "192.0.2.20", "customer.example") == SpfResult::kFail);
  BOOST_TEST(Check(*engine, "192.0.2.10", "amx.example") == SpfResult::kPass);
  BOOST_TEST(Check(*engine, "203.0.113.5", "amx.example") == SpfResult::kPass);
  BOOST_TEST(Check(*engine, "203.0.113.6", "amx.example") == SpfResult::kFail);
}

BOOST_AUTO_TEST_CASE(engine_txt_lookups) {
  auto engine = MakeEngine();
  TxtAnswer found = engine->LookupTxt("_dmarc.pass.example");
  BOOST_TEST(static_cast<int>(found.status) == static_cast<int>(TxtAnswer::Status::kFound));
  BOOST_REQUIRE(found.texts.size() == 1u);
  BOOST_TEST(found.texts[0] == "v=DMARC1; p=reject; adkim=s; aspf=s");
  TxtAnswer missing = engine->LookupTxt("_dmarc.nothere.example");
  BOOST_TEST(static_cast<int>(missing.status) == static_cast<int>(TxtAnswer::Status::kNotFound));
  TxtAnswer flaky = engine->LookupTxt("_dmarc.flaky.example");
  BOOST_TEST(static_cast<int>(flaky.status) == static_cast<int>(TxtAnswer::Status::kTempError));
}

}  // namespace sendguard::spf

namespace sendguard::spf {

BOOST_AUTO_TEST_CASE(engine_shipped_example_zone_is_valid) {
  Result<std::vector<DnsRecord>> records = dns::LoadDnsDataFile("policies/dns-static.zone.example");
  BOOST_REQUIRE_MESSAGE(records.ok(), records.status().ToString());
  EngineOptions options;
  options.use_static_records = true;
  options.static_records = *records;
  Result<std::unique_ptr<SpfEngine>> engine = SpfEngine::Create(options);
  BOOST_REQUIRE(engine.ok());
  BOOST_TEST((*engine)->CheckHost("192.0.2.3", "customer.example").result == SpfResult::kPass);
  BOOST_TEST((*engine)->CheckHost("198.51.100.25", "customer.example").result == SpfResult::kPass);
  BOOST_TEST((*engine)->CheckHost("203.0.113.1", "customer.example").result == SpfResult::kFail);
}

}  // namespace sendguard::spf

namespace sendguard::spf {

// Builds the production stack (cache over the system resolver) without
// sending any query: lookups would touch the network, so none is made here.
BOOST_AUTO_TEST_CASE(engine_resolver_stack_builds) {
  EngineOptions options;
  options.cache_bits = 4;
  Result<std::unique_ptr<SpfEngine>> engine = SpfEngine::Create(options);
  BOOST_TEST(engine.ok());
}

}  // namespace sendguard::spf

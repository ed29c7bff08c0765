// Tests for the compromised-account simulation (sim.h), in its short mode:
// reproducible, and its figures mean what they say.
#include <boost/test/unit_test.hpp>

#include "abuse/abuse_policy.h"
#include "sim.h"

using namespace sendguard::abuse;

namespace {

std::shared_ptr<const AbusePolicy> SimPolicy(const std::string& text) {
  auto p = AbusePolicy::Parse(text, "sim.conf");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return *p;
}

sim::Options Short() {
  sim::Options o;
  o.identities = 500;
  o.weeks = 1;
  o.learning_days = 2;
  return o;
}

const char* kSimPolicy =
    "condition burst messages >= 50 and >= 10x baseline -> suspend\n"
    "condition ips client_addresses >= 6 -> escalate\n"
    "condition content content_rejected >= 3 and >= 0.1x baseline -> hold\n"
    "exempt_class bulk\n";

}  // namespace

BOOST_AUTO_TEST_CASE(sim_is_reproducible_for_a_seed) {
  auto policy = SimPolicy(kSimPolicy);
  sim::Results a = sim::Run(*policy, Short());
  sim::Results b = sim::Run(*policy, Short());
  BOOST_TEST(a.events == b.events);
  BOOST_TEST(a.events > 10000);
  BOOST_REQUIRE(a.compromises.size() == b.compromises.size());
  BOOST_TEST(a.compromises.size() >= 50u);
  for (size_t i = 0; i < a.compromises.size(); ++i) {
    BOOST_TEST(a.compromises[i].escaped == b.compromises[i].escaped);
    BOOST_TEST(a.compromises[i].detected == b.compromises[i].detected);
  }
  BOOST_TEST(sim::ToJson(a).find("\"detection_rate\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sim_detects_what_the_policy_covers_and_nothing_without_conditions) {
  sim::Results r = sim::Run(*SimPolicy(kSimPolicy), Short());
  for (const sim::Compromise& c : r.compromises) {
    if (c.style == sim::Style::kBurst && c.kind == sim::Kind::kPersonal) {
      BOOST_TEST(c.detected);
      BOOST_TEST(c.escaped <= 50);
    }
    if (c.style == sim::Style::kManyAddresses || c.style == sim::Style::kContent) BOOST_TEST(c.detected);
  }
  sim::Results none = sim::Run(*SimPolicy("exempt_class bulk\n"), Short());
  for (const sim::Compromise& c : none.compromises) {
    BOOST_TEST(!c.detected);
    BOOST_TEST(c.escaped == c.delivered);  // everything delivered escaped
  }
  for (const sim::KindStats& k : none.kinds) BOOST_TEST(k.false_restrictions == 0);
}

BOOST_AUTO_TEST_CASE(sim_percentile_is_nearest_rank) {
  BOOST_TEST(sim::Percentile({}, 50) == 0);
  BOOST_TEST(sim::Percentile({5, 1, 3}, 50) == 3);
  BOOST_TEST(sim::Percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 95) == 10);
  BOOST_TEST(sim::Percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50) == 5);
}

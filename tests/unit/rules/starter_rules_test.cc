// The shipped rule set (rules/*.cf) must load strictly, and every scoring
// rule must have a message that hits it (tests/rules/hit/NAME.eml) and one
// that does not (tests/rules/miss/NAME.eml). Run from the source tree root.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_util.h"

using namespace sendguard::rules;           // NOLINT
using namespace sendguard::rules::testing;  // NOLINT
namespace fs = std::filesystem;

namespace {

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(starter_rules_load_strictly_and_each_has_hit_and_miss_messages) {
  BOOST_REQUIRE_MESSAGE(fs::is_directory("rules") && fs::is_directory("tests/rules/hit"),
                        "run from the source tree root (rules/ and tests/rules/ not found)");
  LoadReport report;
  auto set = RuleSet::Load({"rules"}, LoadOptions(), &report);
  BOOST_REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  BOOST_TEST(report.problems.empty());

  ParsedRules parsed;
  LoadReport unused;
  BOOST_REQUIRE(ParseCfPaths({"rules"}, &parsed, &unused).ok());
  int checked = 0;
  for (const RuleDef& def : parsed.defs) {
    if (def.name.rfind("__", 0) == 0) continue;
    BOOST_TEST(!parsed.attrs[def.name].describe.empty(), def.name << " has no describe");
    fs::path hit = fs::path("tests/rules/hit") / (def.name + ".eml");
    fs::path miss = fs::path("tests/rules/miss") / (def.name + ".eml");
    BOOST_TEST_CONTEXT(def.name) {
      BOOST_REQUIRE_MESSAGE(fs::exists(hit) && fs::exists(miss), "missing " << hit << " or " << miss);
      ScanResult on_hit = ScanRaw(**set, ReadAll(hit));
      ScanResult on_miss = ScanRaw(**set, ReadAll(miss));
      BOOST_TEST(Hit(on_hit, def.name), def.name << " did not hit " << hit);
      BOOST_TEST(!Hit(on_miss, def.name), def.name << " hit " << miss);
      BOOST_TEST(on_hit.score > on_miss.score - 1e-9);
    }
    ++checked;
  }
  BOOST_TEST(checked >= 20);
}

BOOST_AUTO_TEST_CASE(starter_rules_leave_ordinary_mail_alone) {
  LoadReport report;
  auto set = RuleSet::Load({"rules"}, LoadOptions(), &report);
  BOOST_REQUIRE(set.ok());
  for (const auto& entry : fs::directory_iterator("tests/rules/bench")) {
    ScanResult r = ScanRaw(**set, ReadAll(entry.path()));
    BOOST_TEST(r.score < 1.0, entry.path() << " scored " << r.score);
  }
}

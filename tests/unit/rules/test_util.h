// Helpers shared by the rules unit tests: build a RuleSet from .cf text and
// scan a raw message through the real MIME parser.
#ifndef SENDGUARD_TESTS_UNIT_RULES_TEST_UTIL_H_
#define SENDGUARD_TESTS_UNIT_RULES_TEST_UTIL_H_

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "mime/parser.h"
#include "rules/cf_parser.h"
#include "rules/hyperscan_prefilter.h"
#include "rules/rule_set.h"

namespace sendguard {
namespace rules {
namespace testing {

inline Result<std::shared_ptr<const RuleSet>> FromText(const std::string& cf, LoadReport* report,
                                                       bool strict = true) {
  ParsedRules parsed;
  Status s = ParseCfText(cf, "test.cf", &parsed, report);
  if (!s.ok()) return s;
  LoadOptions o;
  o.strict = strict;
  return RuleSet::Compile(std::move(parsed), o, report);
}

inline std::shared_ptr<const RuleSet> MustLoad(const std::string& cf) {
  LoadReport report;
  auto set = FromText(cf, &report);
  if (!set.ok()) return nullptr;
  return *set;
}

inline ScanResult ScanRaw(const RuleSet& set, const std::string& raw) {
  mime::ParsedMessage msg = mime::Parse(raw, mime::ScanLimits());
  ScanResult result;
  Status s = set.Scan(msg, &result);
  if (!s.ok()) result.score = -1e9;
  return result;
}

inline const RuleHit* FindHit(const ScanResult& r, const std::string& name) {
  for (const RuleHit& h : r.hits)
    if (h.name == name) return &h;
  for (const RuleHit& h : r.subrules)
    if (h.name == name) return &h;
  return nullptr;
}

inline bool Hit(const ScanResult& r, const std::string& name) { return FindHit(r, name) != nullptr; }

inline const Problem* FindProblem(const LoadReport& report, const std::string& rule) {
  for (const Problem& p : report.problems)
    if (p.rule == rule) return &p;
  return nullptr;
}

// Precondition for the Hyperscan cases, e.g.
//   BOOST_AUTO_TEST_CASE(x, *boost::unit_test::precondition(HyperscanBuiltIn))
// Where Hyperscan is not built in they are reported as skipped, not passed;
// hyperscan_is_built_in_where_debian_ships_it (hyperscan_prefilter_test.cc)
// is what fails on x86-64, where a build without it has lost it.
inline boost::test_tools::assertion_result HyperscanBuiltIn(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result built_in(HyperscanPrefilter::Available());
  built_in.message() << "Hyperscan is not built in";
  return built_in;
}

}  // namespace testing
}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_UNIT_RULES_TEST_UTIL_H_

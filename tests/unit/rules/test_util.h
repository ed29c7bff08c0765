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

// Whether Hyperscan can be tested here. On x86-64 it must be built in (a
// build that silently lost it fails); elsewhere Debian has no Hyperscan and
// the Hyperscan tests are skipped.
inline bool HyperscanHere() {
#if defined(__x86_64__)
  BOOST_REQUIRE_MESSAGE(HyperscanPrefilter::Available(),
                        "Hyperscan is not built in (libhyperscan-dev, make deps)");
  return true;
#else
  if (!HyperscanPrefilter::Available()) BOOST_TEST_MESSAGE("SKIPPED: no Hyperscan on this architecture");
  return HyperscanPrefilter::Available();
#endif
}

}  // namespace testing
}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_UNIT_RULES_TEST_UTIL_H_

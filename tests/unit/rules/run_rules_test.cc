// Tests for LoadOptions::run (rules/rule_options.h): SpamAssassin never runs
// a rule whose score is 0, and sendguard by default computes only what a
// scoring rule needs.
#include <boost/test/unit_test.hpp>

#include "test_util.h"

using namespace sendguard::rules;           // NOLINT
using namespace sendguard::rules::testing;  // NOLINT

namespace {

const char kRules[] =
    "body ZERO /spam/\n"
    "score ZERO 0\n"
    "body __ZERO_SUB /spam/\n"
    "score __ZERO_SUB 0\n"
    "meta USES_ZERO __ZERO_SUB || ZERO\n"
    "body __USED /spam/\n"
    "meta USES_SUB __USED\n"
    "body __UNUSED /spam/\n"
    "meta __UNUSED_META __UNUSED\n"
    "body NICE /spam/\n"
    "tflags NICE nice\n";

const char kMsg[] = "From: a@example.com\nSubject: hi\n\nspam here\n";

ScanResult ScanRun(RunRules run, LoadReport* report) {
  ParsedRules parsed;
  BOOST_REQUIRE(ParseCfText(kRules, "test.cf", &parsed, report).ok());
  LoadOptions o;
  o.run = run;
  auto set = RuleSet::Compile(std::move(parsed), o, report);
  BOOST_REQUIRE(set.ok());
  return ScanRaw(**set, kMsg);
}

}  // namespace

BOOST_AUTO_TEST_CASE(score_zero_rules_never_run_and_metas_see_zero) {
  LoadReport report;
  ScanResult r = ScanRun(RunRules::kNonZero, &report);
  BOOST_TEST(!Hit(r, "ZERO"));
  BOOST_TEST(!Hit(r, "__ZERO_SUB"));
  BOOST_TEST(!Hit(r, "USES_ZERO"));  // as in SpamAssassin: its only inputs never ran
  BOOST_TEST(Hit(r, "USES_SUB"));
  BOOST_TEST(Hit(r, "__UNUSED"));    // SpamAssassin runs every non-zero "__" rule
  BOOST_TEST(Hit(r, "__UNUSED_META"));
}

BOOST_AUTO_TEST_CASE(nice_rules_without_a_score_line_score_minus_one) {
  LoadReport report;
  ScanResult r = ScanRun(RunRules::kNonZero, &report);
  const RuleHit* nice = FindHit(r, "NICE");
  BOOST_REQUIRE(nice);
  BOOST_TEST(nice->score == -1.0);
}

BOOST_AUTO_TEST_CASE(needed_runs_only_what_scoring_rules_use_with_the_same_verdict) {
  LoadReport needed_report, nonzero_report;
  ScanResult needed = ScanRun(RunRules::kNeeded, &needed_report);
  ScanResult nonzero = ScanRun(RunRules::kNonZero, &nonzero_report);
  BOOST_TEST(needed.score == nonzero.score);
  BOOST_TEST(needed.hits.size() == nonzero.hits.size());
  BOOST_TEST(Hit(needed, "__USED"));
  BOOST_TEST(!Hit(needed, "__UNUSED"));
  BOOST_TEST(!Hit(needed, "__UNUSED_META"));
  std::map<std::string, std::string> why(needed_report.not_run.begin(), needed_report.not_run.end());
  BOOST_TEST(why["ZERO"] == "score 0");
  BOOST_TEST(why["__UNUSED"] == "unused");
  BOOST_TEST(why.count("__USED") == 0u);
}

BOOST_AUTO_TEST_CASE(run_all_runs_score_zero_rules_too) {
  LoadReport report;
  ScanResult r = ScanRun(RunRules::kAll, &report);
  BOOST_TEST(Hit(r, "ZERO"));
  BOOST_TEST(Hit(r, "USES_ZERO"));
  BOOST_TEST(r.score == 1.0);  // USES_SUB + USES_ZERO - NICE; ZERO scores 0
  BOOST_TEST(report.not_run.empty());
}

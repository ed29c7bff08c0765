// Loads Debian's SpamAssassin rules (package `spamassassin`) the way
// `sendguard lint --lenient /usr/share/spamassassin` does, and pins how many
// load so that a regression in the translator or parser shows.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "mime/parser.h"
#include "rules/rule_set.h"

using namespace sendguard::rules;  // NOLINT

namespace {

const char kCorpus[] = "/usr/share/spamassassin";

bool CorpusPresent() {
  if (std::filesystem::exists(std::string(kCorpus) + "/72_active.cf")) return true;
  BOOST_TEST_MESSAGE("SKIPPED: " << kCorpus << " is absent (apt-get install spamassassin, or make deps)");
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(spamassassin_corpus_loads_what_re2_can_express) {
  if (!CorpusPresent()) return;
  LoadOptions o;
  o.strict = false;
  LoadReport report;
  auto set = RuleSet::Load({kCorpus}, o, &report);
  BOOST_REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  BOOST_TEST_MESSAGE("regex rules loaded " << report.regex_loaded << " of " << report.regex_total);
  // Debian 12's spamassassin 4.0.1: 1,273 of 1,424 regex rules load.
  BOOST_TEST(report.regex_loaded >= 1270);
  BOOST_TEST(report.regex_total >= 1400);
  // What is left out is explained, by category.
  BOOST_TEST(report.unsupported_by_reason["look-around"] > 0);
  BOOST_TEST(report.unsupported_by_reason["back-reference"] > 0);
  BOOST_TEST(report.unsupported_by_reason["eval"] > 0);
  BOOST_TEST(report.unsupported_by_reason.count("syntax") == 0u);
  BOOST_TEST(report.errors() == 0);
  // And it scans: a classic advance-fee body hits some SpamAssassin rules.
  auto msg = sendguard::mime::Parse(
      "From: Mr. Barrister <b@example.com>\nTo: you@example.org\nSubject: URGENT BUSINESS PROPOSAL\n\n"
      "Dear Friend, I am a barrister. My late client left the sum of US$15,500,000.00 (Fifteen Million\n"
      "Five Hundred Thousand United States Dollars) with no next of kin. Reply with your full name,\n"
      "your bank account and your telephone number. This transaction is 100% risk free.\n",
      sendguard::mime::ScanLimits());
  ScanResult result;
  BOOST_REQUIRE((*set)->Scan(msg, &result).ok());
  BOOST_TEST(result.hits.size() >= 3u);
  BOOST_TEST(result.score > 3.0);
}

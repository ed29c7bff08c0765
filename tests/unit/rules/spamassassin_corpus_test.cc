// Loads Debian's SpamAssassin rules (package `spamassassin`) the way
// `sendguard lint --lenient /usr/share/spamassassin` does, and pins how many
// load so that a regression in the translator or parser shows.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mime/parser.h"
#include "rules/rule_set.h"
#include "test_util.h"

using namespace sendguard::rules;  // NOLINT

namespace {

const char kCorpus[] = "/usr/share/spamassassin";

bool CorpusPresent() { return std::filesystem::exists(std::string(kCorpus) + "/72_active.cf"); }

// Precondition of the cases below: without the corpus they are skipped (and
// spamassassin_rules_corpus_is_installed fails).
boost::test_tools::assertion_result CorpusInstalled(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result present(CorpusPresent());
  present.message() << kCorpus << " is absent";
  return present;
}

// One line per hit (scoring or not): name, count, score and matched text.
std::string Describe(const ScanResult& r) {
  std::ostringstream out;
  for (const auto* list : {&r.hits, &r.subrules})
    for (const RuleHit& h : *list)
      out << h.name << " x" << h.count << " " << h.score << " [" << h.matched << "]\n";
  out << "total " << r.score;
  return out.str();
}

}  // namespace

// The package is required on every architecture (contrib/debian-packages.txt).
BOOST_AUTO_TEST_CASE(spamassassin_rules_corpus_is_installed) {
  BOOST_TEST(CorpusPresent(), kCorpus << " is absent (apt-get install spamassassin, or make deps)");
}

BOOST_AUTO_TEST_CASE(spamassassin_corpus_loads_what_re2_can_express,
                     *boost::unit_test::precondition(CorpusInstalled)) {
  LoadOptions o;
  o.strict = false;
  LoadReport report;
  auto set = RuleSet::Load({kCorpus}, o, &report);
  BOOST_REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  BOOST_TEST_MESSAGE("regex rules loaded " << report.regex_loaded << " of " << report.regex_total);
  // Debian 12's spamassassin 4.0.1: 1,349 of 1,575 regex rules load (1,273
  // of 1,424 before ReplaceTags and MIMEHeader), 1,742 of 2,965 rules.
  BOOST_TEST(report.regex_loaded >= 1349);
  BOOST_TEST(report.regex_total >= 1575);
  BOOST_TEST(report.loaded >= 1742);
  // Every rule written is accounted for: loaded, or counted under a reason,
  // those in ifplugin/if blocks that are false included.
  int unsupported = 0;
  for (const auto& kv : report.unsupported_by_reason) unsupported += kv.second;
  BOOST_TEST(report.loaded + unsupported == report.total);
  BOOST_TEST(report.unsupported_by_reason["plugin-not-loaded"] > 0);
  BOOST_TEST(report.unsupported_by_reason["condition-false"] > 0);
  BOOST_TEST(report.unsupported_by_reason.count("mimeheader") == 0u);
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

// Every SpamAssassin rule gives the same hits, counts and matched text
// whichever candidate finder runs it, on every test message we have.
BOOST_AUTO_TEST_CASE(spamassassin_corpus_same_hits_with_and_without_hyperscan,
                     *boost::unit_test::precondition(CorpusInstalled) *
                         boost::unit_test::precondition(sendguard::rules::testing::HyperscanBuiltIn)) {
  LoadOptions o;
  o.strict = false;
  o.hyperscan = HyperscanUse::kNever;
  LoadReport report;
  auto re2_only = RuleSet::Load({kCorpus}, o, &report);
  o.hyperscan = HyperscanUse::kAlways;
  auto hyperscan = RuleSet::Load({kCorpus}, o, &report);
  BOOST_REQUIRE(re2_only.ok());
  BOOST_REQUIRE(hyperscan.ok());
  int messages = 0, hits = 0;
  for (const char* dir : {"tests/rules/hit", "tests/rules/miss", "tests/rules/bench"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream raw;
      raw << in.rdbuf();
      auto msg = sendguard::mime::Parse(raw.str(), sendguard::mime::ScanLimits());
      ScanResult a, b;
      BOOST_REQUIRE((*re2_only)->Scan(msg, &a).ok());
      BOOST_REQUIRE((*hyperscan)->Scan(msg, &b).ok());
      BOOST_TEST(Describe(a) == Describe(b), entry.path().string());
      hits += static_cast<int>(a.hits.size() + a.subrules.size());
      ++messages;
    }
  }
  BOOST_TEST(messages >= 20);
  BOOST_TEST(hits >= 200);  // the comparison covers many rules that hit
}

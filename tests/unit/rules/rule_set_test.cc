// Tests for rules/rule_set.h: each target, each construct, scoring, metas,
// strict vs lenient loading and the DFA out-of-memory fallback.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <thread>
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "rules/regex_group.h"
#include "test_util.h"

using namespace sendguard::rules;           // NOLINT
using namespace sendguard::rules::testing;  // NOLINT

namespace {

const char kMsg[] =
    "From: \"Alice Example\" <alice@example.com>\r\n"
    "To: bob@example.org\r\n"
    "Cc: carol@example.net\r\n"
    "Subject: =?UTF-8?Q?Your_invoice_is_ready?=\r\n"
    "X-Mailer: TestMailer 1.0\r\n"
    "Message-ID: <abc@example.com>\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<html><body><p>Hello Bob,</p><p>please pay <b>now</b>.</p>\r\n"
    "<a href=\"http://192.0.2.7/pay\">pay</a> spam spam spam spam</body></html>\r\n";

ScanResult ScanWith(const std::string& cf, const std::string& raw = kMsg) {
  auto set = MustLoad(cf);
  BOOST_REQUIRE_MESSAGE(set, "rules did not load:\n" << cf);
  return ScanRaw(*set, raw);
}

}  // namespace

BOOST_AUTO_TEST_CASE(rule_set_header_targets) {
  ScanResult r = ScanWith(
      "header SUBJ Subject =~ /^Your invoice/\n"            // decoded value
      "header SUBJ_RAW Subject:raw =~ /=\\?UTF-8\\?Q\\?/\n"  // undecoded value
      "header FROM_ADDR From:addr =~ /^alice\\@example\\.com$/\n"
      "header FROM_NAME From:name =~ /^Alice Example$/\n"
      "header TOCC ToCc =~ /carol\\@/\n"
      "header ALLH ALL =~ /^X-Mailer: TestMailer/m\n"
      "header MID MESSAGEID =~ /abc\\@/\n"
      "header CASE subject =~ /invoice/\n"
      "header NOT_MATCH Subject !~ /lottery/\n"
      "header NOT_HIT Subject !~ /invoice/\n"
      "header MISSING X-Nope =~ /./\n"
      "header MISSING_NEG X-Nope !~ /./\n"
      "header UNSET X-Nope =~ /^dflt$/ [if-unset: dflt]\n"
      "header HAS_MAILER exists:X-Mailer\n"
      "header NO_HEADER exists:X-Nope\n"
      "header PSEUDO_NEG X-Spam-Relays-External !~ /x/\n");
  for (const char* name : {"SUBJ", "SUBJ_RAW", "FROM_ADDR", "FROM_NAME", "TOCC", "ALLH", "MID", "CASE",
                           "NOT_MATCH", "MISSING_NEG", "UNSET", "HAS_MAILER"})
    BOOST_TEST(Hit(r, name), name << " should hit");
  for (const char* name : {"NOT_HIT", "MISSING", "NO_HEADER", "PSEUDO_NEG"})
    BOOST_TEST(!Hit(r, name), name << " should not hit");
  BOOST_TEST(FindHit(r, "SUBJ")->matched == "Your invoice");
}

BOOST_AUTO_TEST_CASE(rule_set_body_rawbody_uri_full_targets) {
  ScanResult r = ScanWith(
      "body BODY_TEXT /please pay now/\n"   // HTML rendered: tags gone
      "body BODY_NO_TAGS /<b>/\n"
      "body BODY_SUBJECT /Your invoice/\n"  // body starts with the Subject
      "body BODY_LINE_ANCHOR /^Hello Bob/\n"
      "rawbody RAW_TAGS /<b>now<\\/b>/\n"
      "uri URI_IP /^http:\\/\\/\\d+\\.\\d+\\.\\d+\\.\\d+\\//\n"
      "uri URI_OTHER /example\\.invalid/\n"
      "full FULL_HDR /^Message-ID: <abc/m\n"
      "full FULL_CRLF /\\r\\n\\r\\n<html>/\n");
  for (const char* name : {"BODY_TEXT", "BODY_SUBJECT", "BODY_LINE_ANCHOR", "RAW_TAGS", "URI_IP", "FULL_HDR", "FULL_CRLF"})
    BOOST_TEST(Hit(r, name), name << " should hit");
  BOOST_TEST(!Hit(r, "BODY_NO_TAGS"));
  BOOST_TEST(!Hit(r, "URI_OTHER"));
  BOOST_TEST(FindHit(r, "URI_IP")->matched == "http://192.0.2.7/");
}

// `tflags nosubject`: the body rule skips SpamAssassin's first text element,
// the Subject line (Debian's __NONEMPTY_BODY, behind EMPTY_MESSAGE).
BOOST_AUTO_TEST_CASE(rule_set_body_nosubject_skips_the_subject_line) {
  const std::string cf =
      "body SUBJ_ANY /invoice/\n"
      "body SUBJ_NOT /invoice/\ntflags SUBJ_NOT nosubject\n"
      "body TEXT_NOT /Hello Bob/\ntflags TEXT_NOT nosubject\n"
      "body NONEMPTY /\\S/\ntflags NONEMPTY nosubject\n";
  ScanResult r = ScanWith(cf);
  BOOST_TEST(Hit(r, "SUBJ_ANY"));
  BOOST_TEST(!Hit(r, "SUBJ_NOT"));
  BOOST_TEST(Hit(r, "TEXT_NOT"));
  BOOST_TEST(Hit(r, "NONEMPTY"));
  r = ScanWith(cf, "Subject: only a subject\r\n\r\n\r\n");
  BOOST_TEST(!Hit(r, "NONEMPTY"));
}

BOOST_AUTO_TEST_CASE(rule_set_meta_and_subrules) {
  ScanResult r = ScanWith(
      "body __PAY /please pay/\n"
      "body __SPAM /spam/\n"
      "tflags __SPAM multiple\n"
      "body __NOPE /lottery/\n"
      "meta BOTH __PAY && !__NOPE\n"
      "meta COUNTED __SPAM >= 4\n"
      "meta TOO_MANY __SPAM > 4\n"
      "meta SUM (__PAY + __NOPE + BOTH) == 2\n"
      "meta NESTED BOTH && SUM\n"
      "score BOTH 1.5\n");
  BOOST_TEST(Hit(r, "BOTH"));
  BOOST_TEST(Hit(r, "COUNTED"));
  BOOST_TEST(!Hit(r, "TOO_MANY"));
  BOOST_TEST(Hit(r, "SUM"));
  BOOST_TEST(Hit(r, "NESTED"));
  // __ rules never score and are reported apart.
  for (const RuleHit& h : r.hits) BOOST_TEST(h.name.rfind("__", 0) != 0);
  BOOST_TEST(FindHit(r, "__SPAM")->count == 4);
  BOOST_TEST(r.score == 1.5 + 1 + 1 + 1);
}

BOOST_AUTO_TEST_CASE(rule_set_scores_multiple_and_maxhits) {
  ScanResult r = ScanWith(
      "body SPAM_ALL /spam/\n"
      "tflags SPAM_ALL multiple\n"
      "score SPAM_ALL 0.5\n"
      "body SPAM_CAPPED /spam/\n"
      "tflags SPAM_CAPPED multiple maxhits=2\n"
      "score SPAM_CAPPED 1\n"
      "body SPAM_ONCE /spam/\n"
      "score SPAM_ONCE 3\n"
      "body T_TESTING /spam/\n"
      "body DEFAULT_SCORE /spam/\n"
      "body ZERO /spam/\n"
      "score ZERO 0\n"
      "body NICE /spam/\n"
      "score NICE -1\n"
      "tflags NICE nice\n"
      "describe SPAM_ONCE Says spam\n");
  BOOST_TEST(FindHit(r, "SPAM_ALL")->score == 2.0);
  BOOST_TEST(FindHit(r, "SPAM_CAPPED")->count == 2);
  BOOST_TEST(FindHit(r, "SPAM_ONCE")->score == 3.0);
  BOOST_TEST(FindHit(r, "SPAM_ONCE")->describe == "Says spam");
  BOOST_TEST(FindHit(r, "T_TESTING")->score == 0.01);
  BOOST_TEST(FindHit(r, "DEFAULT_SCORE")->score == 1.0);
  BOOST_TEST(FindHit(r, "NICE")->score == -1.0);
  bool zero_scored = false;
  for (const RuleHit& h : r.hits) zero_scored = zero_scored || h.name == "ZERO";
  BOOST_TEST(!zero_scored);
  BOOST_TEST(std::abs(r.score - (2.0 + 2.0 + 3.0 + 0.01 + 1.0 - 1.0)) < 1e-9);
}

BOOST_AUTO_TEST_CASE(rule_set_strict_load_fails_on_unsupported_rules) {
  const std::string cf =
      "body OK /fine/\n"
      "body LOOK /a(?=b)/\n"
      "body BACK /(a)\\1/\n"
      "body EVAL eval:check_stuff()\n"
      "body BIGREP /(?:a{1000}){1000}/\n"
      "meta USES_LOOK LOOK || OK\n"
      "meta USES_GHOST GHOST && OK\n"
      "meta CYCLE_A CYCLE_B\n"
      "meta CYCLE_B CYCLE_A\n";
  LoadReport strict_report;
  auto strict = FromText(cf, &strict_report, true);
  BOOST_TEST(!strict.ok());
  BOOST_TEST(strict.status().message().find("test.cf:2: LOOK: look-ahead") != std::string::npos);

  LoadReport report;
  auto lenient = FromText(cf, &report, false);
  BOOST_REQUIRE(lenient.ok());
  BOOST_TEST(report.errors() == 0);
  BOOST_TEST(report.loaded == 1);
  BOOST_TEST(report.total == 9);
  BOOST_TEST(report.regex_total == 4);  // eval is not a regex rule
  BOOST_TEST(report.regex_loaded == 1);
  BOOST_TEST(report.unsupported_by_reason["look-around"] == 1);
  BOOST_TEST(report.unsupported_by_reason["back-reference"] == 1);
  BOOST_TEST(report.unsupported_by_reason["eval"] == 1);
  BOOST_TEST(report.unsupported_by_reason["re2-error"] == 1);
  BOOST_TEST(report.unsupported_by_reason["meta-dependency"] == 1);
  BOOST_TEST(report.unsupported_by_reason["meta-undefined"] == 1);
  BOOST_TEST(report.unsupported_by_reason["meta-cycle"] == 2);
  const Problem* p = FindProblem(report, "USES_LOOK");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->line == 6);
  BOOST_TEST(p->reason == "meta uses LOOK, which is not loaded (look-around)");
  BOOST_TEST(Hit(ScanRaw(**lenient, kMsg), "OK") == false);
}

BOOST_AUTO_TEST_CASE(rule_set_loads_directories_in_lexical_order) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("sg_rules_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "20_b.cf") << "body R /spam/\nscore R 2\n";
  std::ofstream(dir / "10_a.cf") << "body R /never-matches/\nscore R 1\n";
  std::ofstream(dir / "notes.txt") << "this is not a rule file\n";
  LoadReport report;
  auto set = RuleSet::Load({dir.string()}, LoadOptions(), &report);
  fs::remove_all(dir);
  BOOST_REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  ScanResult r = ScanRaw(**set, kMsg);
  BOOST_REQUIRE(Hit(r, "R"));  // 20_b.cf came last and won
  BOOST_TEST(FindHit(r, "R")->score == 2.0);
  LoadReport missing;
  auto none = RuleSet::Load({"/nonexistent/sendguard/rules"}, LoadOptions(), &missing);
  BOOST_TEST(!none.ok());
  BOOST_TEST((none.status().code() == sendguard::Status::Code::kIoError));
}

BOOST_AUTO_TEST_CASE(regex_group_dfa_out_of_memory_falls_back_not_no_match) {
  // Literal-free regexes go into one RE2::Set; when its DFA runs out of
  // memory the group must still find every match, one regex at a time.
  std::vector<RegexSpec> specs = {{"[a-z]{3}[0-9]{2}x", false, 1}, {"[0-9]{4}", false, 1},
                                  {"needle-in-text", false, 1}};
  for (bool inject : {false, true}) {
    RegexGroupOptions o;
    o.inject_set_out_of_memory = inject;
    o.hyperscan = HyperscanUse::kNever;  // the RE2::Set is what is tested
    std::vector<RegexGroup::CompileError> errors;
    auto group = RegexGroup::Build(specs, o, &errors);
    BOOST_REQUIRE(errors.empty());
    BOOST_TEST(group->num_unfiltered() == 2);
    std::vector<GroupMatch> out;
    BOOST_REQUIRE(group->Match("zz abc12x and needle-in-text", &out).ok());
    BOOST_TEST(out.size() == 2u);
    BOOST_TEST(out[0].matched == "abc12x");
    BOOST_TEST(group->dfa_fallbacks() == (inject ? 1 : 0));
  }
}

BOOST_AUTO_TEST_CASE(regex_group_literal_free_regexes_in_several_sets_each_match) {
  // More literal-free regexes than one RE2::Set takes: every one is still
  // found by the set it lands in (first, middle and last set), and only it.
  std::vector<RegexSpec> specs;
  for (int i = 0; i < 100; ++i)
    specs.push_back({"[a-z]{2}[0-9]{" + std::to_string(1 + i / 10) + "}[,;]{" +
                         std::to_string(1 + i % 10) + "}Z",
                     false, 1});
  for (bool inject : {false, true}) {
    RegexGroupOptions o;
    o.inject_set_out_of_memory = inject;
    o.hyperscan = HyperscanUse::kNever;
    std::vector<RegexGroup::CompileError> errors;
    auto group = RegexGroup::Build(specs, o, &errors);
    BOOST_REQUIRE(errors.empty());
    BOOST_TEST(group->num_unfiltered() == 100);
    for (int i : {0, 31, 32, 63, 64, 99}) {
      std::string text = "xx ab" + std::string(1 + i / 10, '7') + std::string(1 + i % 10, ',') + "Z yy";
      std::vector<GroupMatch> out;
      BOOST_REQUIRE(group->Match(text, &out).ok());
      BOOST_TEST_REQUIRE(out.size() == 1u, "regex " << i << (inject ? " (fallback)" : ""));
      BOOST_TEST(out[0].index == i);
    }
  }
}

BOOST_AUTO_TEST_CASE(regex_group_reports_compile_errors_and_keeps_the_rest) {
  std::vector<RegexSpec> specs = {{"ok", false, 1}, {"(unbalanced", false, 1}, {"x{2000}", false, 1}};
  std::vector<RegexGroup::CompileError> errors;
  auto group = RegexGroup::Build(specs, RegexGroupOptions(), &errors);
  BOOST_TEST(errors.size() == 2u);
  BOOST_TEST(errors[0].index == 1);
  BOOST_TEST(errors[0].reason.find("missing )") != std::string::npos);
  std::vector<GroupMatch> out;
  BOOST_REQUIRE(group->Match("it is ok", &out).ok());
  BOOST_TEST(out.size() == 1u);
}

BOOST_AUTO_TEST_CASE(rule_set_scan_is_thread_safe) {
  auto set = MustLoad("body SPAM /spam/\ntflags SPAM multiple\nuri IP /\\d+\\.\\d+/\n");
  BOOST_REQUIRE(set);
  sendguard::mime::ParsedMessage msg = sendguard::mime::Parse(kMsg, sendguard::mime::ScanLimits());
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        ScanResult r;
        if (set->Scan(msg, &r).ok() && r.score == 5) good++;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(good.load() == 800);
}

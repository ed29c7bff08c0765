// Tests for http/rules_page.h: the page lists each rule with its kind,
// score, escaped description, file:line and hits from the shared table;
// search, sort and paging; a failed load shows its error and says that the
// previous rules are still loaded.
#include <boost/test/unit_test.hpp>

#include <string>

#include "http/rules_page.h"
#include "metrics/rule_hits.h"
#include "rules/cf_parser.h"
#include "rules/rule_set.h"

namespace sendguard::http {
namespace {

std::shared_ptr<const rules::RuleSet> Compile(const std::string& text) {
  rules::ParsedRules parsed;
  rules::LoadReport report;
  BOOST_REQUIRE(rules::ParseCfText(text, "/etc/sendguard/rules/50_t.cf", &parsed, &report).ok());
  Result<std::shared_ptr<const rules::RuleSet>> set = rules::RuleSet::Compile(parsed, rules::LoadOptions(), &report);
  BOOST_REQUIRE(set.ok());
  return *set;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(rules_page_lists_rules_with_hits_and_escapes) {
  auto set = Compile(
      "header T_SUBJ Subject =~ /free money/i\n"
      "describe T_SUBJ Says <free> & \"money\"\n"
      "score T_SUBJ 2.5\n"
      "body T_BODY /zzz body zzz/\n");
  auto table = std::move(metrics::RuleHitTable::Create(64)).value();
  for (const rules::RuleInfo& r : set->rule_infos()) table->Register(r.name);
  for (int i = 0; i < 3; ++i) table->CountHit("T_BODY");
  table->RecordLoad({1700000000, true, true, 0x1234, 2, ""});
  RulesPage page(set, table.get());
  std::string body = page.Body({});
  BOOST_CHECK(body.find("<td class=\"name\">T_SUBJ</td><td>header Subject</td><td>2.5</td>"
                        "<td class=\"hits\">0</td><td>Says &lt;free&gt; &amp; &quot;money&quot;</td>"
                        "<td class=\"where\">/etc/sendguard/rules/50_t.cf:1</td>") != std::string::npos);
  BOOST_CHECK(body.find("<td class=\"hits\">3</td>") != std::string::npos);
  BOOST_CHECK(body.find("T_BODY") < body.find("T_SUBJ"));  // most hits first
  BOOST_CHECK(page.Body({{"sort", "name"}}).find("data-rule=\"T_BODY\"") <
              page.Body({{"sort", "name"}}).find("data-rule=\"T_SUBJ\""));
  BOOST_CHECK(body.find("Loaded at start: <span id=\"reload-time\">2023-11-14 22:13:20Z</span>, "
                        "<span id=\"reload-result\">ok</span>") != std::string::npos);
  BOOST_CHECK(body.find("0000000000001234") != std::string::npos);
  std::string found = page.Body({{"q", "subj"}});
  BOOST_CHECK_EQUAL(Count(found, "<tr data-rule="), 1u);
  BOOST_CHECK(found.find("data-rule=\"T_SUBJ\"") != std::string::npos);
  BOOST_CHECK(page.Body({{"q", "<script>"}}).find("<script>") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(rules_page_pages_and_shows_a_failed_load) {
  std::string text;
  for (int i = 0; i < 250; ++i) text += "body R" + std::to_string(1000 + i) + " /never-" + std::to_string(i) + "-zz/\n";
  auto set = Compile(text);
  auto table = std::move(metrics::RuleHitTable::Create(16)).value();  // 12 names: most are not counted
  for (const rules::RuleInfo& r : set->rule_infos()) table->Register(r.name);
  table->CountHit("R1249");
  table->RecordLoad({1700000000, false, false, 0x1234, 250, "/etc/sendguard/rules/70_x.cf:3: R9: <bad>"});
  RulesPage page(set, table.get());
  std::string last = page.Body({{"page", "2"}, {"sort", "name"}});
  BOOST_CHECK_EQUAL(Count(last, "<tr data-rule="), 50u);
  BOOST_CHECK(last.find("page 3 of 3") != std::string::npos);
  BOOST_CHECK(last.find("id=\"previous\"") != std::string::npos);
  BOOST_CHECK(last.find("id=\"next\"") == std::string::npos);
  BOOST_CHECK(last.find("not counted") != std::string::npos);
  BOOST_CHECK(last.find("1 hits could not be attributed") != std::string::npos);
  BOOST_CHECK(last.find("/etc/sendguard/rules/70_x.cf:3: R9: &lt;bad&gt;") != std::string::npos);
  BOOST_CHECK(last.find("The previous rules (version 0000000000001234) are still the ones loaded") != std::string::npos);
  BOOST_CHECK(page.Body({{"page", "99"}}).find("page 3 of 3") != std::string::npos);
  BOOST_CHECK(RulesPage(nullptr, table.get()).Body({}).find("Content rules are off") != std::string::npos);
}

}  // namespace sendguard::http

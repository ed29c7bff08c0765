// Tests for rules/cf_parser.h: directives, conditionals, comments, errors.
#include <boost/test/unit_test.hpp>

#include "rules/cf_parser.h"
#include "rules/rule_set.h"

using sendguard::Status;
using sendguard::rules::HeaderView;
using sendguard::rules::LoadReport;
using sendguard::rules::ParseCfText;
using sendguard::rules::ParsedRules;
using sendguard::rules::RuleDef;
using sendguard::rules::Target;

namespace {

const RuleDef* Def(const ParsedRules& p, const std::string& name) {
  auto it = p.index.find(name);
  return it == p.index.end() ? nullptr : &p.defs[it->second];
}

}  // namespace

BOOST_AUTO_TEST_CASE(cf_parser_reads_every_rule_kind) {
  ParsedRules p;
  LoadReport r;
  Status s = ParseCfText(
      "# comment line\n"
      "header  H1  Subject =~ /free/i   # trailing comment\n"
      "header  H2  From:addr !~ /\\@example\\.com$/ [if-unset: none@nowhere]\n"
      "header  H3  exists:X-Mailer\n"
      "body    B1  /a\\#b/\n"
      "rawbody R1  m{<b>}i\n"
      "uri     U1  /^https?:\\/\\/\\d+\\./\n"
      "full    F1  /^Received:/m\n"
      "meta    M1  H1 && (B1 || R1)\n"
      "score   H1  2.5 1 1 1\n"
      "score   B1  (0.5)\n"
      "describe H1 Subject says free\n"
      "tflags  B1  multiple maxhits=3 nice\n",
      "t.cf", &p, &r);
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(p.defs.size() == 8u);
  BOOST_TEST((Def(p, "H1")->target == Target::kHeader));
  BOOST_TEST(Def(p, "H1")->header == "Subject");
  BOOST_TEST(Def(p, "H1")->case_insensitive);
  BOOST_TEST(Def(p, "H2")->negated);
  BOOST_TEST((Def(p, "H2")->view == HeaderView::kAddr));
  BOOST_TEST(Def(p, "H2")->if_unset == "none@nowhere");
  BOOST_TEST(Def(p, "H3")->exists);
  BOOST_TEST(Def(p, "B1")->re2_pattern == "a#b");
  BOOST_TEST(Def(p, "B1")->line == 5);
  BOOST_TEST((Def(p, "R1")->target == Target::kRawBody));
  BOOST_TEST(Def(p, "M1")->meta == "H1 && (B1 || R1)");
  BOOST_TEST(p.attrs["H1"].score == 2.5);
  BOOST_TEST(p.attrs["B1"].score == 0.5);
  BOOST_TEST(p.attrs["H1"].describe == "Subject says free");
  BOOST_TEST(p.attrs["B1"].multiple);
  BOOST_TEST(p.attrs["B1"].nice);
  BOOST_TEST(p.attrs["B1"].maxhits == 3);
  BOOST_TEST(r.problems.empty());
}

BOOST_AUTO_TEST_CASE(cf_parser_marks_unsupported_rules_with_category) {
  ParsedRules p;
  LoadReport r;
  BOOST_REQUIRE(ParseCfText("body E1 eval:check_foo()\n"
                            "body L1 /a(?!b)/\n"
                            "header X1 From:weird =~ /x/\n"
                            "header S1 Subject /x/\n"
                            "askdns D1 _SENDERDOMAIN_ TXT /x/\n",
                            "t.cf", &p, &r).ok());
  BOOST_TEST(Def(p, "E1")->unsupported_category == "eval");
  BOOST_TEST(Def(p, "L1")->unsupported_category == "look-around");
  BOOST_TEST(Def(p, "X1")->unsupported_category == "header-modifier");
  BOOST_TEST(Def(p, "S1")->unsupported_category == "syntax");
  BOOST_TEST(Def(p, "D1")->unsupported_category == "dns");
}

BOOST_AUTO_TEST_CASE(cf_parser_evaluates_conditionals) {
  ParsedRules p;
  LoadReport r;
  BOOST_REQUIRE(ParseCfText("ifplugin Mail::SpamAssassin::Plugin::ReplaceTags\n"
                            "  body TAGGED /<A>b/\n"
                            "else\n"
                            "  body UNTAGGED /ab/\n"
                            "endif\n"
                            "if (version >= 3.004000) && !plugin(Mail::SpamAssassin::Plugin::MIMEHeader)\n"
                            "  body NEW /x/\n"
                            "endif\n"
                            "if version < 3.000000\n"
                            "  body OLD /x/\n"
                            "endif\n"
                            "ifplugin Mail::SpamAssassin::Plugin::FreeMail\n"
                            "  if can(Mail::SpamAssassin::Conf::feature_bug6558_free)\n"
                            "    header FREE eval:check_freemail_from()\n"
                            "  endif\n"
                            "endif\n",
                            "t.cf", &p, &r).ok());
  BOOST_TEST(Def(p, "TAGGED"));     // ReplaceTags is one of SpamAssassin's default plugins
  BOOST_TEST(!Def(p, "UNTAGGED"));
  BOOST_TEST(!Def(p, "NEW"));       // and so is MIMEHeader
  BOOST_TEST(!Def(p, "OLD"));
  BOOST_TEST(Def(p, "FREE"));
}

BOOST_AUTO_TEST_CASE(cf_parser_file_errors_name_file_and_line) {
  ParsedRules p;
  LoadReport r;
  Status s = ParseCfText("body A /a/\nendif\n", "x.cf", &p, &r);
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.message() == "x.cf:2: 'endif' without 'if'");
  s = ParseCfText("if version > 3\nbody A /a/\n", "y.cf", &p, &r);
  BOOST_TEST(s.message() == "y.cf:1: 'if' block is never closed by 'endif'");
  s = ParseCfText("if version >>> 3\nendif\n", "z.cf", &p, &r);
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.message().find("z.cf:1: bad 'if' condition") == 0);
}

BOOST_AUTO_TEST_CASE(cf_parser_reports_unknown_directives_once) {
  ParsedRules p;
  LoadReport r;
  BOOST_REQUIRE(ParseCfText("lang de describe X y\nfoo bar\nfoo baz\nscore A x\n", "t.cf", &p, &r).ok());
  int foo = 0, bad_score = 0;
  for (const auto& prob : r.problems) {
    foo += prob.reason.find("'foo' ignored") != std::string::npos;
    bad_score += prob.reason.find("score is not a number") != std::string::npos && prob.line == 4;
  }
  BOOST_TEST(foo == 1);
  BOOST_TEST(bad_score == 1);
}

BOOST_AUTO_TEST_CASE(cf_parser_later_definition_wins) {
  ParsedRules p;
  LoadReport r;
  BOOST_REQUIRE(ParseCfText("body A /one/\nbody A /two/\n", "t.cf", &p, &r).ok());
  BOOST_TEST(p.defs.size() == 1u);
  BOOST_TEST(Def(p, "A")->re2_pattern == "two");
  BOOST_TEST(Def(p, "A")->line == 2);
}

// Rules in false blocks are not defined but are remembered with the reason,
// unless a true block defines the same name.
BOOST_AUTO_TEST_CASE(cf_parser_remembers_rules_of_false_blocks) {
  ParsedRules p;
  LoadReport r;
  BOOST_REQUIRE(ParseCfText("ifplugin Mail::SpamAssassin::Plugin::TextCat\n"
                            "  body LANG /x/\n"
                            "endif\n"
                            "if version < 3.000000\n"
                            "  body OLD /x/\n"
                            "else\n"
                            "  body NEW /x/\n"
                            "endif\n"
                            "if !plugin(Mail::SpamAssassin::Plugin::MIMEHeader)\n"
                            "  meta BOTH 0\n"
                            "endif\n"
                            "ifplugin Mail::SpamAssassin::Plugin::MIMEHeader\n"
                            "  mimeheader BOTH Content-Type =~ /x/\n"
                            "endif\n",
                            "t.cf", &p, &r).ok());
  BOOST_REQUIRE(p.skipped.count("LANG"));
  BOOST_TEST(p.skipped["LANG"].category == "plugin-not-loaded");
  BOOST_TEST(p.skipped["LANG"].line == 2);
  BOOST_TEST(p.skipped["OLD"].category == "condition-false");
  BOOST_TEST(Def(p, "NEW"));
  BOOST_TEST(Def(p, "BOTH"));
  sendguard::rules::LoadOptions o;
  o.strict = false;
  auto set = sendguard::rules::RuleSet::Compile(std::move(p), o, &r);
  BOOST_REQUIRE(set.ok());
  BOOST_TEST(r.total == 4);  // LANG, OLD, NEW, BOTH (once)
  BOOST_TEST(r.loaded == 2);
}

// util_rb_tld names are kept for text URL finding; clear_util_rb empties
// the list first (as Debian's 20_aux_tlds.cf does).
BOOST_AUTO_TEST_CASE(cf_parser_keeps_util_rb_tld_names) {
  ParsedRules p;
  LoadReport r;
  BOOST_REQUIRE(ParseCfText("util_rb_tld stale\n"
                            "clear_util_rb\n"
                            "util_rb_tld com ORG\n"
                            "util_rb_tld  net\n"
                            "util_rb_2tld co.uk\n",
                            "t.cf", &p, &r).ok());
  BOOST_TEST(p.tlds.size() == 3u);
  BOOST_TEST(p.tlds.Contains("org"));
  BOOST_TEST(p.tlds.Contains("net"));
  BOOST_TEST(!p.tlds.Contains("stale"));
  auto set = sendguard::rules::RuleSet::Compile(std::move(p), sendguard::rules::LoadOptions(), &r);
  BOOST_REQUIRE(set.ok());
  BOOST_TEST((*set)->tlds().Contains("com"));
}

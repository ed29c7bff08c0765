// Tests for rules/replace_tags.h: the rewriting of Mail::SpamAssassin::
// Plugin::ReplaceTags, checked on the exact regex text and through a scan.
#include <boost/test/unit_test.hpp>

#include "rules/replace_tags.h"
#include "test_util.h"

using namespace sendguard::rules;           // NOLINT
using namespace sendguard::rules::testing;  // NOLINT

namespace {

ReplaceTagConfig Config() {
  ReplaceTagConfig c;
  c.tags = {{"A", "[a4]"}, {"B", "[b8]"}, {"AB", "<A><B>"}};
  c.inter = {{"W1", "\\W?"}};
  c.pre = {{"P", "\\b"}};
  c.post = {{"P2", "{1,2}"}};
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(replace_tags_rewrites_as_the_plugin_does) {
  ReplaceTagConfig c = Config();
  BOOST_TEST(ReplaceTagsIn("x<A>y", c) == "x[a4]y");
  BOOST_TEST(ReplaceTagsIn("<A><A>", c) == "[a4][a4]");
  // inter goes into every empty piece: between adjacent tags and before a
  // leading one (Perl's split keeps the leading empty field).
  BOOST_TEST(ReplaceTagsIn("<inter W1><A><B>", c) == "\\W?[a4]\\W?[b8]");
  BOOST_TEST(ReplaceTagsIn("x<A><inter W1>y<B>", c) == "x[a4]y[b8]");
  BOOST_TEST(ReplaceTagsIn("x<post P2><A>y<B>", c) == "x[a4]{1,2}y[b8]{1,2}");
  BOOST_TEST(ReplaceTagsIn("x<pre P><A>", c) == "x\\b[a4]");
  // A value with tags is expanded in a further pass; unknown tags stay.
  BOOST_TEST(ReplaceTagsIn("x<AB>", c) == "x[a4][b8]");
  BOOST_TEST(ReplaceTagsIn("<html><A>", c) == "<html>[a4]");
  BOOST_TEST(ReplaceTagsIn("a<>b", c) == "a<>b");
}

BOOST_AUTO_TEST_CASE(replace_tags_apply_to_the_named_rules_only) {
  auto set = MustLoad(
      "replace_tag A [a4]\n"
      "replace_inter W1 \\W?\n"
      "body TAGGED /<inter W1>x<A>b/\n"
      "body NOT_LISTED /x<A>b/\n"
      "header SUBJ_TAGGED Subject =~ /^<A>bc$/i\n"
      "replace_rules TAGGED SUBJ_TAGGED\n");
  BOOST_REQUIRE(set);
  ScanResult r = ScanRaw(*set, "Subject: 4BC\n\nthe x4b and x-a-b\n");
  BOOST_TEST(Hit(r, "TAGGED"));
  BOOST_TEST(!Hit(r, "NOT_LISTED"));
  BOOST_TEST(Hit(r, "SUBJ_TAGGED"));
  r = ScanRaw(*set, "Subject: x<A>b\n\nx<A>b\n");
  BOOST_TEST(Hit(r, "NOT_LISTED"));
  BOOST_TEST(!Hit(r, "TAGGED"));
}

BOOST_AUTO_TEST_CASE(replace_tags_failing_translation_is_reported_with_the_reason) {
  LoadReport report;
  auto set = FromText("replace_tag LA (?=a)\nbody LOOK /<LA>a/\nreplace_rules LOOK\n", &report, false);
  BOOST_REQUIRE(set.ok());
  const Problem* p = FindProblem(report, "LOOK");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->reason.find("after ReplaceTags") != std::string::npos);
}

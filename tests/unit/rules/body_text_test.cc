// Tests for rules/body_text.h: SpamAssassin's paragraph model of the body.
#include <boost/test/unit_test.hpp>

#include "rules/body_text.h"
#include "test_util.h"

using namespace sendguard::rules;           // NOLINT
using namespace sendguard::rules::testing;  // NOLINT

BOOST_AUTO_TEST_CASE(paragraphs_become_lines_as_in_spamassassin) {
  std::string body = "Subject  kept\nHi,\nthis is\tone  paragraph.\n \n\nNext one\n\n  indented\n";
  ToParagraphs(&body);
  // The blanks before the first and after the last newline of a break stay.
  // (What perl -e 's/\n+\s*\n+/\x00/gs; s/\s+/ /gs; tr/\x00/\n/' gives.)
  BOOST_TEST(body == "Subject  kept\nHi, this is one paragraph.\nNext one\n indented ");
}

BOOST_AUTO_TEST_CASE(long_paragraphs_are_cut_after_a_space_within_2048_bytes) {
  std::string word(100, 'x');
  std::string body = "s\n";
  for (int i = 0; i < 30; ++i) body += word + " ";
  ToParagraphs(&body);
  size_t nl = body.find('\n', 2);
  BOOST_REQUIRE(nl != std::string::npos);
  BOOST_TEST(nl - 2 == 20u * 101u);  // 20 words and their spaces fit in 2048
}

BOOST_AUTO_TEST_CASE(body_rules_anchor_at_paragraphs) {
  auto set = MustLoad(
      "body SINGLE_WORD_LINE /^\\s?\\S{1,60}\\s?$/\n"
      "body HI_LINE /^Hi,$/\n");
  BOOST_REQUIRE(set);
  ScanResult r = ScanRaw(*set, "Subject: a long subject here\n\nHi,\nhow are you\n\nBob\n");
  BOOST_TEST(Hit(r, "SINGLE_WORD_LINE"));  // "Bob"
  BOOST_TEST(!Hit(r, "HI_LINE"));          // "Hi, how are you " is one paragraph
  r = ScanRaw(*set, "Subject: a long subject here\n\nHi,\nhow are you\n");
  BOOST_TEST(!Hit(r, "SINGLE_WORD_LINE"));
}

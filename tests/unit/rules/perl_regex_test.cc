// Tests for rules/perl_regex.h: delimiters, flags, translations, refusals.
#include <boost/test/unit_test.hpp>

#include "rules/perl_regex.h"

using sendguard::rules::TranslatedRegex;
using sendguard::rules::TranslatePerlRegex;
using sendguard::rules::Unsupported;

namespace {

std::string Tr(const std::string& lit, bool* ci = nullptr) {
  TranslatedRegex out;
  Unsupported why;
  if (!TranslatePerlRegex(lit, &out, &why)) return "!" + why.category;
  if (ci) *ci = out.case_insensitive;
  return out.pattern;
}

}  // namespace

BOOST_AUTO_TEST_CASE(perl_regex_delimiters_and_flags) {
  bool ci = false;
  BOOST_TEST(Tr("/foo bar/", &ci) == "foo bar");
  BOOST_TEST(!ci);
  BOOST_TEST(Tr("/foo/i", &ci) == "foo");
  BOOST_TEST(ci);
  BOOST_TEST(Tr("m{a/b}") == "a/b");
  BOOST_TEST(Tr("m!x!s") == "(?s)x");
  BOOST_TEST(Tr("/^x$/m") == "(?m)^x$");
  BOOST_TEST(Tr("/a\\/b/") == "a\\x2Fb");
  BOOST_TEST(Tr("/x/q") == "!flag");
  BOOST_TEST(Tr("foo") == "!syntax");
  BOOST_TEST(Tr("/unterminated") == "!syntax");
}

BOOST_AUTO_TEST_CASE(perl_regex_translates_perl_only_escapes) {
  BOOST_TEST(Tr("/a\\hb/") == "a[\\t ]b");
  BOOST_TEST(Tr("/[\\h,]/") == "[\\t ,]");
  BOOST_TEST(Tr("/a\\Hb/") == "a[^\\t ]b");
  BOOST_TEST(Tr("/\\R/") == "(?:\\r\\n|[\\n\\x0B\\f\\r])");
  BOOST_TEST(Tr("/a\\Z/") == "a(?:\\n?\\z)");
  BOOST_TEST(Tr("/\\e/") == "\\x1B");
  BOOST_TEST(Tr("/\\cA/") == "\\x01");
  BOOST_TEST(Tr("/\\012/") == "\\x0A");
  BOOST_TEST(Tr("/(?<year>\\d+)/") == "(?P<year>\\d+)");
  BOOST_TEST(Tr("/a(?#note)b/") == "ab");
  BOOST_TEST(Tr("/[\\b]/") == "[\\x08]");
  BOOST_TEST(Tr("/a b # c\n/x") == "ab");
  BOOST_TEST(Tr("/a\\ b/x") == "a\\x20b");
  BOOST_TEST(Tr("/[ #]/x") == "[ #]");
  BOOST_TEST(Tr("/(?i)x/") == "(?i)x");
  BOOST_TEST(Tr("/(?^i:x)/") == "(?i:x)");
  BOOST_TEST(Tr("/a+?b*?/") == "a+?b*?");
}

BOOST_AUTO_TEST_CASE(perl_regex_refuses_what_re2_cannot_run) {
  BOOST_TEST(Tr("/foo(?=bar)/") == "!look-around");
  BOOST_TEST(Tr("/foo(?!bar)/") == "!look-around");
  BOOST_TEST(Tr("/(?<=a)b/") == "!look-around");
  BOOST_TEST(Tr("/(?<!a)b/") == "!look-around");
  BOOST_TEST(Tr("/(a)\\1/") == "!back-reference");
  BOOST_TEST(Tr("/(?<n>a)\\k<n>/") == "!back-reference");
  BOOST_TEST(Tr("/(?>a+)b/") == "!atomic-group");
  BOOST_TEST(Tr("/a++b/") == "!possessive");
  BOOST_TEST(Tr("/a{2}+/") == "!possessive");
  BOOST_TEST(Tr("/\\Gx/") == "!anchor-G");
  BOOST_TEST(Tr("/a\\Kb/") == "!keep-out");
  BOOST_TEST(Tr("/(?{ 1 })/") == "!perl-code");
  BOOST_TEST(Tr("/(?R)/") == "!back-reference");
  BOOST_TEST(Tr("/\\ua/") == "!perl-escape");
  // A literal '+' after an escaped '+' is a quantifier, not possessive.
  BOOST_TEST(Tr("/\\++/") == "\\++");
}

BOOST_AUTO_TEST_CASE(perl_regex_reason_names_the_offset) {
  TranslatedRegex out;
  Unsupported why;
  BOOST_TEST(!TranslatePerlRegex("/abc(?=d)/", &out, &why));
  BOOST_TEST(why.reason == "look-ahead (?= at offset 3");
}

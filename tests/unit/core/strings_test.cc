// Tests for core/strings.h.
#include <boost/test/unit_test.hpp>

#include "core/strings.h"

using namespace sendguard;

BOOST_AUTO_TEST_CASE(case_helpers_are_ascii_only) {
  BOOST_TEST(Lower("Alice@Example.ORG") == "alice@example.org");
  BOOST_TEST(Lower("\xC3\x84") == "\xC3\x84");  // UTF-8 bytes are left alone
  BOOST_TEST(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  BOOST_TEST(!EqualsIgnoreCase("From", "Fro"));
  BOOST_TEST(StartsWithIgnoreCase("HTTP://x", "http:"));
  BOOST_TEST(!StartsWithIgnoreCase("ht", "http:"));
}

BOOST_AUTO_TEST_CASE(trim_split_join) {
  BOOST_TEST(Trim(" \t\r\n x y \f\v") == "x y");
  BOOST_TEST(TrimBlanks(" \tx\r\n") == "x\r\n");
  BOOST_TEST(Trim("   ").empty());
  BOOST_TEST((SplitWords("  a\tbb  c ") == std::vector<std::string>{"a", "bb", "c"}));
  BOOST_TEST(SplitWords(" \t ").empty());
  BOOST_TEST(Join({"a", "", "c"}, ", ") == "a, , c");
  BOOST_TEST(Join({}, ",").empty());
}

BOOST_AUTO_TEST_CASE(domains) {
  BOOST_TEST(DomainOf("a@B.Org") == "b.org");
  BOOST_TEST(DomainOf("\"x@y\"@Z.example") == "z.example");
  BOOST_TEST(DomainOf("nodomain").empty());
  BOOST_TEST(CanonicalDnsName("Example.ORG..") == "example.org");
}

BOOST_AUTO_TEST_CASE(quoted_is_json_and_toml) {
  BOOST_TEST(Quoted("plain") == "\"plain\"");
  BOOST_TEST(Quoted("a \"b\" \\ c") == "\"a \\\"b\\\" \\\\ c\"");
  BOOST_TEST(Quoted("tab\there\n") == "\"tab\\u0009here\\u000a\"");
  BOOST_TEST(Quoted("Grüße") == "\"Grüße\"");
}

BOOST_AUTO_TEST_CASE(quoted_strings_are_valid_utf8_whatever_the_bytes) {
  BOOST_CHECK_EQUAL(Quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
  BOOST_CHECK_EQUAL(Quoted("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  BOOST_CHECK_EQUAL(Quoted("bad\xff\xc3"), "\"bad\\ufffd\\ufffd\"");
  BOOST_CHECK_EQUAL(Quoted("\xc0\xaf"), "\"\\ufffd\\ufffd\"");  // overlong '/'
}

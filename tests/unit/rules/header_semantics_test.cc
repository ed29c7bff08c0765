// Tests for what header rules see (rules/header_view.h), as SpamAssassin's
// Check.pm and PerMsgStatus::get define it.
#include <boost/test/unit_test.hpp>

#include "test_util.h"

using namespace sendguard::rules;           // NOLINT
using namespace sendguard::rules::testing;  // NOLINT

BOOST_AUTO_TEST_CASE(a_missing_header_is_matched_as_the_empty_string) {
  auto set = MustLoad(
      "header EMPTY_MISSING X-Nope =~ /^\\s*$/\n"
      "header ANY_MISSING X-Nope =~ /./\n"
      "header NEG_EMPTY X-Nope !~ /^$/\n"
      "header NEG_ANY X-Nope !~ /./\n"
      "header EMPTY_SUBJ Subject:raw =~ /^\\s*$/\n");
  BOOST_REQUIRE(set);
  ScanResult r = ScanRaw(*set, "From: a@example.com\n\nbody\n");
  BOOST_TEST(Hit(r, "EMPTY_MISSING"));
  BOOST_TEST(!Hit(r, "ANY_MISSING"));
  BOOST_TEST(!Hit(r, "NEG_EMPTY"));
  BOOST_TEST(Hit(r, "NEG_ANY"));
  BOOST_TEST(Hit(r, "EMPTY_SUBJ"));
  r = ScanRaw(*set, "From: a@example.com\nSubject: hi\n\nbody\n");
  BOOST_TEST(!Hit(r, "EMPTY_SUBJ"));
}

BOOST_AUTO_TEST_CASE(raw_values_have_lf_line_ends_and_messageid_reads_four_headers) {
  auto set = MustLoad(
      "header RAW_CR Subject:raw =~ /\\r/\n"
      "header RAW_FOLD Subject:raw =~ /^ a\\n  b$/\n"
      "header ORIG_MID MESSAGEID =~ /orig\\@example/\n");
  BOOST_REQUIRE(set);
  ScanResult r = ScanRaw(*set, "Subject: a\r\n  b\r\nX-Original-Message-ID: <orig@example.com>\r\n\r\nx\r\n");
  BOOST_TEST(!Hit(r, "RAW_CR"));
  BOOST_TEST(Hit(r, "RAW_FOLD"));
  BOOST_TEST(Hit(r, "ORIG_MID"));
}

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

namespace {

const char kMultipart[] =
    "From: a@example.com\nSubject: s\nContent-Type: multipart/mixed; boundary=b\n\n"
    "--b\nContent-Type: text/plain; charset=us-ascii\n\nhi\n"
    "--b\nContent-Type: application/pdf; name=\"x.pdf\"\nContent-Disposition: attachment\n\n%PDF\n"
    "--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment\n\nAAAA\n"
    "--b--\n";

}  // namespace

BOOST_AUTO_TEST_CASE(mimeheader_rules_read_every_mime_entity) {
  auto set = MustLoad(
      "mimeheader TEXT_PART Content-Type =~ /text\\/\\w+/i\n"
      "mimeheader PDF_PART Content-Type =~ /^application\\/pdf/\n"
      "mimeheader MULTI_TOP Content-Type =~ /^multipart\\/mixed/\n"
      "mimeheader RAW_NAME Content-Type:raw =~ /name=\"x\\.pdf\"/\n"
      "mimeheader ATTACHMENTS Content-Disposition =~ /attachment/\n"
      "tflags ATTACHMENTS multiple\n"
      "mimeheader NO_ZIP Content-Type !~ /zip/\n"
      "mimeheader UNSET_CD Content-Disposition =~ /^none$/ [if-unset: none]\n"
      "meta HAS_PDF_AND_TEXT TEXT_PART && PDF_PART\n");
  BOOST_REQUIRE(set);
  ScanResult r = ScanRaw(*set, kMultipart);
  for (const char* name : {"TEXT_PART", "PDF_PART", "MULTI_TOP", "RAW_NAME", "NO_ZIP", "UNSET_CD",
                           "HAS_PDF_AND_TEXT"})
    BOOST_TEST(Hit(r, name), name);
  const RuleHit* att = FindHit(r, "ATTACHMENTS");
  BOOST_REQUIRE(att);
  BOOST_TEST(att->count == 2);
  r = ScanRaw(*set, "From: a@example.com\nContent-Type: application/zip\n\nPK\n");
  BOOST_TEST(!Hit(r, "TEXT_PART"));
  BOOST_TEST(!Hit(r, "NO_ZIP"));
}

BOOST_AUTO_TEST_CASE(mimeheader_takes_only_the_raw_modifier) {
  LoadReport report;
  auto set = FromText("mimeheader BAD Content-Type:addr =~ /x/\n", &report, false);
  BOOST_REQUIRE(set.ok());
  BOOST_TEST(report.loaded == 0);
  BOOST_REQUIRE(FindProblem(report, "BAD"));
}

// Tests for mime/header_block.h and mime/multipart.h.
#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>

#include "mime/header_block.h"
#include "mime/multipart.h"
#include "mime/parser.h"

using namespace sendguard::mime;

BOOST_AUTO_TEST_CASE(header_block_folding_and_body) {
  HeaderBlock b = SplitHeaderBlock("A: 1\r\nB : two\r\n  folded\r\n\r\nbody\r\n", 100, 100);
  BOOST_TEST_REQUIRE(b.headers.size() == 2u);
  BOOST_TEST(b.headers[1].name == "B");
  BOOST_TEST(b.headers[1].value == " two\r\n  folded");
  BOOST_TEST(b.body == "body\r\n");
  BOOST_TEST(!b.ended_without_blank);
  BOOST_TEST(FindHeader(b, "b") == &b.headers[1]);
}

BOOST_AUTO_TEST_CASE(header_block_limits_and_oddities) {
  HeaderBlock b = SplitHeaderBlock("From mbox line\nA: 123456789\nB: x\nC: y\n\n", 2, 4);
  BOOST_TEST_REQUIRE(b.headers.size() == 2u);
  BOOST_TEST(b.headers[0].value == " 123");
  BOOST_TEST(b.values_capped == 1u);
  BOOST_TEST(b.headers_dropped == 1u);
  b = SplitHeaderBlock("A: 1\nthis is body text\n", 10, 10);
  BOOST_TEST(b.ended_without_blank);
  BOOST_TEST(b.body == "this is body text\n");
}

BOOST_AUTO_TEST_CASE(structured_values_and_rfc2231) {
  StructuredValue v = ParseStructuredValue(
      " Multipart/Mixed; BOUNDARY=\"a;b \\\"c\\\"\"; charset=UTF-8 ;x");
  BOOST_TEST(v.value == "multipart/mixed");
  BOOST_TEST(v.Param("boundary") == "a;b \"c\"");
  BOOST_TEST(v.Param("charset") == "UTF-8");
  BOOST_TEST(v.Param("missing") == "");
  v = ParseStructuredValue("attachment; filename=plain.txt; filename*0*=utf-8''%C3%A9t;"
                           " filename*1=\"e.txt\"");
  BOOST_TEST(v.Param("filename") == "\xC3\xA9te.txt");
  v = ParseStructuredValue("attachment; filename=\"=?utf-8?q?caf=C3=A9.pdf?=\"");
  BOOST_TEST(v.Param("filename") == "caf\xC3\xA9.pdf");
}

BOOST_AUTO_TEST_CASE(multipart_split_rules) {
  MultipartSplit s = SplitMultipart("pre\r\n--b\r\nA\r\n--b  \r\n\r\n--b--\r\nepi", "b", 10);
  BOOST_TEST(s.found_delimiter);
  BOOST_TEST(s.closed);
  BOOST_TEST_REQUIRE(s.parts.size() == 2u);
  BOOST_TEST(s.parts[0] == "A");
  BOOST_TEST(s.parts[1] == "");
  s = SplitMultipart("--b\nx\n--bx\n--b\ny", "b", 10);
  BOOST_TEST(!s.closed);
  BOOST_TEST_REQUIRE(s.parts.size() == 2u);
  BOOST_TEST(s.parts[0] == "x\n--bx");
  BOOST_TEST(s.parts[1] == "y");
  s = SplitMultipart("--b\n1\n--b\n2\n--b\n3\n--b--\n", "b", 2);
  BOOST_TEST(s.parts.size() == 2u);
  BOOST_TEST(s.more);
  BOOST_TEST(!SplitMultipart("no delimiters", "b", 10).found_delimiter);
}

BOOST_AUTO_TEST_CASE(unlimited_scan_limit_works) {
  ScanLimits limits;
  limits.max_scan_bytes = std::numeric_limits<size_t>::max();
  ParsedMessage m = Parse("Subject: s\n\nhello\n", limits);
  BOOST_TEST(m.body == "s\nhello\n");
  BOOST_TEST(!m.truncated);
}

// Tests for mime/parser.h on well-formed, real-world shaped messages.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "mime/parser.h"

using namespace sendguard::mime;

namespace {

ParsedMessage P(const std::string& raw) { return Parse(raw, ScanLimits()); }

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(parse_simple_message_crlf) {
  std::string raw =
      "From: \"Alice\" <alice@example.com>\r\n"
      "Subject: =?utf-8?q?Caf=C3=A9?= offer\r\n"
      "X-Folded: one\r\n two\r\n"
      "\r\n"
      "Hello,\r\nsee http://Shop.Example/deal now.\r\n";
  ParsedMessage m = P(raw);
  BOOST_TEST_REQUIRE(m.headers.size() == 3u);
  BOOST_TEST(m.headers[0].name == "From");
  BOOST_TEST(m.headers[0].raw == " \"Alice\" <alice@example.com>");
  BOOST_TEST(m.headers[1].decoded == "Caf\xC3\xA9 offer");
  BOOST_TEST(m.headers[2].raw == " one\r\n two");
  BOOST_TEST(m.headers[2].decoded == "one two");
  BOOST_TEST(m.body == "Caf\xC3\xA9 offer\nHello,\nsee http://Shop.Example/deal now.\n");
  BOOST_TEST(m.rawbody == "Hello,\nsee http://Shop.Example/deal now.\n");
  BOOST_TEST(m.full == raw);
  BOOST_TEST_REQUIRE(m.uris.size() == 1u);
  BOOST_TEST(m.uris[0] == "http://shop.example/deal");
  BOOST_TEST_REQUIRE(m.parts.size() == 1u);
  BOOST_TEST(m.parts[0].content_type == "text/plain");
  BOOST_TEST(m.warnings.empty());
  BOOST_TEST(!m.truncated);
  BOOST_TEST(FindHeader(m, "subject") == &m.headers[1]);
}

// SpamAssassin's text starts with the Subject, and it reads every text/*
// type but html, calendar and x-vcard as text/plain.
BOOST_AUTO_TEST_CASE(parse_finds_uris_in_subject_and_reads_other_text_types_as_plain) {
  TldList tlds;
  tlds.Add("org");
  ParsedMessage m = Parse(
      "Subject: see python.org\nContent-Type: multipart/report; boundary=b\n\n"
      "--b\nContent-Type: text/rfc822-headers\n\nReceived: from relay.example.org\n"
      "--b\nContent-Type: text/x-vcard\n\nURL:http://card.example.org/\n--b--\n",
      ScanLimits(), tlds);
  std::vector<std::string> want = {"http://python.org", "http://relay.example.org"};
  BOOST_TEST(m.uris == want, boost::test_tools::per_element());
  BOOST_TEST(Contains(m.body, "Received: from relay.example.org"));
  BOOST_TEST(!Contains(m.body, "card.example.org"));
  BOOST_TEST(Contains(m.rawbody, "card.example.org"));
}

BOOST_AUTO_TEST_CASE(parse_lf_only_and_no_subject) {
  ParsedMessage m = P("To: x@y\n\nbody line\n");
  BOOST_TEST(m.body == "\nbody line\n");
  BOOST_TEST(m.headers.size() == 1u);
}

BOOST_AUTO_TEST_CASE(parse_transfer_encodings_and_charsets) {
  std::string raw =
      "Subject: t\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\n"
      "\n"
      "preamble ignored\n"
      "--b1\n"
      "Content-Type: text/plain; charset=iso-8859-1\n"
      "Content-Transfer-Encoding: quoted-printable\n"
      "\n"
      "caf=E9 au l=\nait\n"
      "--b1\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "w6l0w6kK\n"
      "--b1\n"
      "Content-Type: text/plain; charset=\"ISO-2022-JP\"\n"
      "Content-Transfer-Encoding: 7bit\n"
      "\n"
      "\x1B$BF|K\\\x1B(B\n"
      "--b1\n"
      "Content-Type: application/pdf; name=\"a.pdf\"\n"
      "Content-Transfer-Encoding: base64\n"
      "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\n"
      "\n"
      "JVBERi0xLjQK\n"
      "--b1--\n"
      "epilogue ignored\n";
  ParsedMessage m = P(raw);
  // The line break before a boundary is the boundary's; SpamAssassin puts
  // "\n" before each later part (two text parts, two paragraphs).
  BOOST_TEST(m.body == "t\ncaf\xC3\xA9 au lait\n\xC3\xA9t\xC3\xA9\n\n\xE6\x97\xA5\xE6\x9C\xAC\n");
  BOOST_TEST(!Contains(m.body, "preamble"));
  BOOST_TEST(!Contains(m.body, "epilogue"));
  BOOST_TEST(!Contains(m.body, "JVBER"));
  BOOST_TEST_REQUIRE(m.parts.size() == 4u);
  BOOST_TEST(m.parts[0].charset == "iso-8859-1");
  BOOST_TEST(m.parts[0].encoding == "quoted-printable");
  BOOST_TEST(m.parts[0].depth == 1);
  BOOST_TEST(m.parts[1].decoded_size == 6u);
  BOOST_TEST(m.parts[3].content_type == "application/pdf");
  BOOST_TEST(m.parts[3].filename == "r\xC3\xA9sum\xC3\xA9.pdf");
  BOOST_TEST(m.parts[3].decoded_size == 9u);
  BOOST_TEST(m.warnings.empty());
}

BOOST_AUTO_TEST_CASE(parse_html_alternative) {
  std::string raw =
      "Subject: News\n"
      "Content-Type: multipart/alternative; boundary=alt\n"
      "\n"
      "--alt\n"
      "Content-Type: text/plain\n"
      "\n"
      "Plain version www.plain.example\n"
      "--alt\n"
      "Content-Type: text/html; charset=windows-1252\n"
      "\n"
      "<html><head><style>.x{}</style></head><body><p>Caf&eacute; \x93" "deal\x94</p>"
      "<a href=\"HTTP://Click.Example/t?id=1&amp;u=2\">go</a></body></html>\n"
      "--alt--\n";
  ParsedMessage m = P(raw);
  BOOST_TEST(Contains(m.body, "Plain version www.plain.example\n"));
  BOOST_TEST(Contains(m.body, "Caf\xC3\xA9 \xE2\x80\x9C" "deal\xE2\x80\x9D\ngo"));
  BOOST_TEST(!Contains(m.body, "<p>"));
  BOOST_TEST(!Contains(m.body, ".x{}"));
  BOOST_TEST(Contains(m.rawbody, "<p>Caf&eacute; \xE2\x80\x9C"));
  BOOST_TEST(Has(m.uris, "http://www.plain.example"));
  BOOST_TEST(Has(m.uris, "http://click.example/t?id=1&u=2"));
  BOOST_TEST(m.uris.size() == 2u);
}

BOOST_AUTO_TEST_CASE(parse_nested_multipart_and_rfc822) {
  std::string raw =
      "Subject: outer\n"
      "Content-Type: multipart/mixed; boundary=\"outer\"\n"
      "\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=\"inner\"\n"
      "\n"
      "--inner\n"
      "Content-Type: text/plain\n"
      "\n"
      "inner text\n"
      "--inner--\n"
      "--outer\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "Subject: forwarded\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Transfer-Encoding: quoted-printable\n"
      "\n"
      "forwarded body http://fwd.example/\n"
      "--outer--\n";
  ParsedMessage m = P(raw);
  BOOST_TEST(m.body == "outer\ninner text\nforwarded body http://fwd.example/");
  BOOST_TEST_REQUIRE(m.parts.size() == 2u);
  BOOST_TEST(m.parts[0].depth == 2);
  BOOST_TEST(m.parts[1].depth == 2);
  BOOST_TEST(m.parts[1].encoding == "quoted-printable");
  BOOST_TEST(Has(m.uris, "http://fwd.example/"));
  BOOST_TEST(m.headers.size() == 2u);  // embedded headers are not top-level
  BOOST_TEST(m.warnings.empty());
}

BOOST_AUTO_TEST_CASE(parse_digest_defaults_to_rfc822) {
  std::string raw =
      "Content-Type: multipart/digest; boundary=d\n\n"
      "--d\n\nSubject: one\n\nfirst\n"
      "--d\n\nSubject: two\n\nsecond\n"
      "--d--\n";
  ParsedMessage m = P(raw);
  BOOST_TEST(m.body == "\nfirst\nsecond");
}

BOOST_AUTO_TEST_CASE(parse_similar_boundaries_are_not_confused) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: multipart/mixed; boundary=bb\n\n"
      "--bb\n\nin bb\n--bb--\n"
      "--b\n\nin b --b not a delimiter\n--b--\n";
  ParsedMessage m = P(raw);
  BOOST_TEST(m.body == "\nin bb\nin b --b not a delimiter");
  BOOST_TEST(m.parts.size() == 2u);
}

BOOST_AUTO_TEST_CASE(parse_warns_on_broken_input) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=z\n\n"
      "--z\nContent-Transfer-Encoding: base64\n\nSGVs*bG8=\n"
      "--z\nContent-Type: text/plain; charset=x-martian\n\nm\xE9lange\n"
      "--z\nContent-Transfer-Encoding: x-uuencode\n\nraw\n";
  ParsedMessage m = P(raw);
  BOOST_TEST(m.body == "\nHello\nm\xC3\xA9lange\nraw\n");
  BOOST_TEST(m.warnings.size() == 4u);  // base64, charset, encoding, no close
  BOOST_TEST(!m.truncated);
}

BOOST_AUTO_TEST_CASE(parse_multipart_without_usable_boundary_is_text) {
  ParsedMessage m = P("Subject: s\nContent-Type: multipart/mixed\n\nvisible spam\n");
  BOOST_TEST(m.body == "s\nvisible spam\n");
  BOOST_TEST(m.warnings.size() == 1u);
  m = P("Content-Type: multipart/mixed; boundary=q\n\nno delimiter here\n");
  BOOST_TEST(m.body == "\nno delimiter here\n");
}

BOOST_AUTO_TEST_CASE(parse_headers_only_and_empty) {
  ParsedMessage m = P("");
  BOOST_TEST(m.body == "\n");
  BOOST_TEST(m.headers.empty());
  m = P("Subject: only headers");
  BOOST_TEST(m.body == "only headers\n");
  m = P("not a header line\nmore\n");
  BOOST_TEST(m.headers.empty());
  BOOST_TEST(m.body == "\nnot a header line\nmore\n");
}

BOOST_AUTO_TEST_CASE(warnings_are_clean_single_lines) {
  ParsedMessage m = P("Content-Type: text/plain; charset=\"bad\x01\rname\xFF\"\n\nx\n");
  BOOST_TEST_REQUIRE(m.warnings.size() == 1u);
  BOOST_TEST(m.warnings[0].find('\x01') == std::string::npos);
  BOOST_TEST(m.warnings[0].find('\r') == std::string::npos);
  BOOST_TEST(m.warnings[0].find("\xEF\xBF\xBD") != std::string::npos);
}

// A Content-Type folded before its parameters (the usual way MTAs write a
// long boundary) still names the boundary.
BOOST_AUTO_TEST_CASE(parse_folded_content_type_parameters) {
  for (const char* fold : {"\n\t", "\r\n ", "\n "}) {
    ParsedMessage m = P(std::string("From: a@example.com\nContent-Type: multipart/mixed;") + fold +
                        "boundary=\"BD.97/host.example\"\n\n--BD.97/host.example\n"
                        "Content-Type: text/plain\n\nhello\n--BD.97/host.example--\n");
    BOOST_TEST(m.warnings.empty());
    BOOST_REQUIRE(m.parts.size() == 1u);
    BOOST_TEST(m.parts[0].depth == 1);
  }
}

// Every entity's header block is kept, the message's own first, depth first.
BOOST_AUTO_TEST_CASE(parse_keeps_every_entitys_headers_in_find_parts_order) {
  ParsedMessage m = P(
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\nhi\n"
      "--b\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: text/html\n\n<p>x</p>\n"
      "--b--\n");
  BOOST_REQUIRE(m.part_headers.size() == 4u);
  BOOST_TEST(m.part_headers[0][0].name == "From");
  BOOST_TEST(m.part_headers[1][0].decoded == "text/plain");
  BOOST_TEST(m.part_headers[2][0].decoded == "message/rfc822");
  BOOST_TEST(m.part_headers[3][0].decoded == "inner");
}

// Unfolding as SpamAssassin reads headers: the line break and the blanks
// after it become one space, so "b;\n\tSat," reads "b; Sat,".
BOOST_AUTO_TEST_CASE(parse_unfolds_a_break_and_its_blanks_into_one_space) {
  ParsedMessage m = P("Received: from a by b;\n\tSat, 3 Oct 2000\nX-Two: one\r\n   two\r\n\r\nx\n");
  BOOST_TEST(m.headers[0].decoded == "from a by b; Sat, 3 Oct 2000");
  BOOST_TEST(m.headers[1].decoded == "one two");
}

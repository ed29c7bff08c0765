// Tests for dkim/canon.h: RFC 6376 header and body canonicalization.
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <random>
#include <vector>

#include "dkim/canon.h"

using namespace sendguard::dkim;

namespace {

std::string BodyHash(Canon canon, const std::string& body, size_t chunk = 1 << 20) {
  BodyHasher h(canon);
  for (size_t i = 0; i < body.size(); i += chunk) h.Update(std::string_view(body).substr(i, chunk));
  auto d = h.Final();
  BOOST_REQUIRE(d.ok());
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(d->data()), d->size()));
}

// RFC 6376 3.4.3/3.4.4 written out the plain way, line by line, as an
// independent reference for BodyHasher's streaming state machine.
std::string ReferenceRelaxedLine(const std::string& line) {
  std::string out;
  bool space = false;
  for (char c : line) {
    if (c == ' ' || c == '\t') { space = true; continue; }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;  // trailing WSP dropped
}

std::string ReferenceCanonicalBody(Canon canon, const std::string& body) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t crlf; (crlf = body.find("\r\n", start)) != std::string::npos; start = crlf + 2)
    lines.push_back(body.substr(start, crlf - start));
  if (start < body.size()) lines.push_back(body.substr(start));  // no final CRLF
  if (canon == Canon::kRelaxed)
    for (std::string& l : lines) l = ReferenceRelaxedLine(l);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (const std::string& l : lines) out += l + "\r\n";
  return out.empty() && canon == Canon::kSimple ? "\r\n" : out;
}

std::string ReferenceHash(Canon canon, const std::string& body) {
  Sha256 sha;
  sha.Update(ReferenceCanonicalBody(canon, body));
  auto d = sha.Final();
  BOOST_REQUIRE(d.ok());
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(d->data()), d->size()));
}

// The relaxed header rules written out byte by byte (RFC 6376 3.4.2).
std::string ReferenceRelaxedHeader(const std::string& name, const std::string& value) {
  std::string n = name;
  while (!n.empty() && (n.back() == ' ' || n.back() == '\t')) n.pop_back();
  for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string v;
  bool space = false;
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;
    if (c == ' ' || c == '\t') { space = true; continue; }
    if (space && !v.empty()) v.push_back(' ');
    space = false;
    v.push_back(c);
  }
  return n + ":" + v + "\r\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(empty_body_hashes_match_rfc) {
  // RFC 6376 3.4.3/3.4.4: simple empty body is one CRLF, relaxed is nothing.
  BOOST_TEST(BodyHash(Canon::kSimple, "") == "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
  BOOST_TEST(BodyHash(Canon::kRelaxed, "") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  BOOST_TEST(BodyHash(Canon::kSimple, "\r\n\r\n") == BodyHash(Canon::kSimple, ""));
  BOOST_TEST(BodyHash(Canon::kRelaxed, " \r\n\t\r\n") == BodyHash(Canon::kRelaxed, ""));
}

BOOST_AUTO_TEST_CASE(rfc6376_example_bodies) {
  // RFC 6376 3.4.5: " C \r\nD \t E\r\n\r\n\r\n" -> relaxed " C\r\nD E\r\n".
  std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  BOOST_TEST(BodyHash(Canon::kRelaxed, body) == BodyHash(Canon::kSimple, " C\r\nD E\r\n"));
  BOOST_TEST(BodyHash(Canon::kSimple, body) == BodyHash(Canon::kSimple, " C \r\nD \t E\r\n"));
  BOOST_TEST(BodyHash(Canon::kSimple, body) != BodyHash(Canon::kRelaxed, body));
}

BOOST_AUTO_TEST_CASE(rfc6376_example_headers) {
  BOOST_TEST(CanonicalHeader(Canon::kRelaxed, "A", " X") == "a:X\r\n");
  BOOST_TEST(CanonicalHeader(Canon::kRelaxed, "B ", " Y\t\r\n\tZ  ") == "b:Y Z\r\n");
  BOOST_TEST(CanonicalHeader(Canon::kSimple, "B ", " Y\t\r\n\tZ  ") == "B : Y\t\r\n\tZ  \r\n");
  BOOST_TEST(CanonicalHeader(Canon::kRelaxed, "Content-TYPE\t", " \t\r\n ") == "content-type:\r\n");
  BOOST_TEST(CanonicalHeader(Canon::kRelaxed, "X", "\r\n\tfolded\r\n first") == "x:folded first\r\n");
}

BOOST_AUTO_TEST_CASE(append_canonical_header_appends_the_same_bytes) {
  for (Canon c : {Canon::kSimple, Canon::kRelaxed}) {
    std::string buf = "prefix ";
    AppendCanonicalHeader(c, "Subject ", "  a \t b\r\n\tc  ", &buf);
    BOOST_TEST(buf == "prefix " + CanonicalHeader(c, "Subject ", "  a \t b\r\n\tc  "));
  }
}

BOOST_AUTO_TEST_CASE(missing_final_crlf_is_added) {
  BOOST_TEST(BodyHash(Canon::kSimple, "abc") == BodyHash(Canon::kSimple, "abc\r\n"));
  BOOST_TEST(BodyHash(Canon::kRelaxed, "abc  ") == BodyHash(Canon::kRelaxed, "abc\r\n"));
}

BOOST_AUTO_TEST_CASE(chunking_never_changes_the_hash) {
  std::mt19937 rng(42);
  const std::string alphabet = "ab \t\r\n\r\n";
  for (int round = 0; round < 200; ++round) {
    std::string body;
    for (int i = 0; i < 300; ++i) body.push_back(alphabet[rng() % alphabet.size()]);
    for (Canon c : {Canon::kSimple, Canon::kRelaxed}) {
      std::string whole = BodyHash(c, body);
      for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{17}})
        BOOST_TEST(BodyHash(c, body, chunk) == whole);
    }
  }
}

BOOST_AUTO_TEST_CASE(body_hash_matches_line_by_line_reference) {
  std::mt19937 rng(7);
  // Words, single and double spaces, tabs, bare CR and LF, CRLF, blank lines.
  const std::vector<std::string> pieces = {"word", "x", " ", " ", "  ", "\t", " \t ", "\r",
                                           "\n", "\r\n", "\r\n", "\r\n\r\n", " \r\n"};
  for (int round = 0; round < 300; ++round) {
    std::string body;
    size_t target = round % 10 == 0 ? 20000 : rng() % 400;  // some span the hash buffer
    while (body.size() < target) body += pieces[rng() % pieces.size()];
    for (Canon c : {Canon::kSimple, Canon::kRelaxed}) {
      std::string want = ReferenceHash(c, body);
      for (size_t chunk : {size_t{1} << 20, size_t{1}, size_t{2}, size_t{5}, size_t{64}})
        BOOST_TEST(BodyHash(c, body, chunk) == want, "canon " << int(c) << " chunk " << chunk);
    }
  }
}

BOOST_AUTO_TEST_CASE(relaxed_header_matches_byte_by_byte_reference) {
  std::mt19937 rng(11);
  const std::vector<std::string> pieces = {"Word", "x", "\xc3\xbc", " ", " ", "  ", "\t",
                                           "\r\n\t", "\r\n ", "\r", "\n", "\x01", "=?utf-8?q?a?="};
  for (int round = 0; round < 2000; ++round) {
    std::string value;
    size_t target = rng() % 120;
    while (value.size() < target) value += pieces[rng() % pieces.size()];
    std::string name = round % 2 ? "Subject" : "X-Mixed-CASE \t";
    BOOST_TEST(CanonicalHeader(Canon::kRelaxed, name, value) == ReferenceRelaxedHeader(name, value));
  }
}

BOOST_AUTO_TEST_CASE(canonicalization_names_parse) {
  auto rr = ParseCanonicalization("relaxed/relaxed");
  BOOST_REQUIRE(rr.ok());
  BOOST_TEST((rr->header == Canon::kRelaxed && rr->body == Canon::kRelaxed));
  auto r = ParseCanonicalization("relaxed");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST((r->header == Canon::kRelaxed && r->body == Canon::kSimple));
  BOOST_TEST(!ParseCanonicalization("loose/simple").ok());
  BOOST_TEST(!ParseCanonicalization("simple/").ok());
}

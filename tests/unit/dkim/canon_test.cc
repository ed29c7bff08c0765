// Tests for dkim/canon.h: RFC 6376 header and body canonicalization.
#include <boost/test/unit_test.hpp>

#include <random>

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

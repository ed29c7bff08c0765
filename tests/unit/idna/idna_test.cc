// Tests for idna/idna.h: every spelling of a domain maps to one A-label.
#include <boost/test/unit_test.hpp>

#include "idna/idna.h"

using namespace sendguard;
using namespace sendguard::idna;

namespace {
std::string Canon(const std::string& domain) {
  Result<std::string> r = CanonicalDomain(domain);
  return r.ok() ? *r : "error: " + r.status().message();
}
}  // namespace

BOOST_AUTO_TEST_CASE(u_label_a_label_and_case_are_one_domain) {
  BOOST_TEST(Canon("exämple.org") == "xn--exmple-cua.org");
  BOOST_TEST(Canon("EXÄMPLE.Org.") == "xn--exmple-cua.org");
  BOOST_TEST(Canon("XN--EXMPLE-CUA.ORG") == "xn--exmple-cua.org");
  BOOST_TEST(Canon("Example.ORG") == "example.org");
  BOOST_TEST(Canon("_dmarc.Example.org") == "_dmarc.example.org");
  BOOST_TEST(Canon("bücher.例え.jp") == "xn--bcher-kva.xn--r8jz45g.jp");
  // NFD input (a + combining diaeresis) is the same domain.
  BOOST_TEST(Canon("exa\xCC\x88mple.org") == "xn--exmple-cua.org");
}

BOOST_AUTO_TEST_CASE(invalid_idna_is_an_error_naming_the_domain) {
  BOOST_TEST(Canon("xn--zz.org").rfind("error: 'xn--zz.org' is not a valid IDNA domain", 0) == 0);
  BOOST_TEST(Canon("a\xE2\x80\x8E" "b.org").rfind("error: ", 0) == 0);  // LRM: disallowed
  BOOST_TEST(Canon("\xFF\xFE.org").rfind("error: ", 0) == 0);        // not UTF-8
}

BOOST_AUTO_TEST_CASE(addresses_keep_local_case_and_normalise_to_nfc) {
  BOOST_TEST(*CanonicalAddress("Demo@Exämple.ORG") == "Demo@xn--exmple-cua.org");
  // "jösé" written NFD and NFC is one local part.
  BOOST_TEST(*CanonicalAddress("jo\xCC\x88s\xC3\xA9@example.org") == "j\xC3\xB6s\xC3\xA9@example.org");
  BOOST_TEST(!CanonicalAddress("a@xn--zz.org").ok());
  BOOST_TEST(*CanonicalAddress("no-domain") == "no-domain");
}

BOOST_AUTO_TEST_CASE(policy_patterns) {
  BOOST_TEST(*CanonicalPattern("*@exämple.org") == "*@xn--exmple-cua.org");
  BOOST_TEST(*CanonicalPattern("@Exämple.org") == "@xn--exmple-cua.org");
  BOOST_TEST(*CanonicalPattern("*.exämple.org") == "*.xn--exmple-cua.org");
  BOOST_TEST(*CanonicalPattern("exämple.org") == "xn--exmple-cua.org");
  BOOST_TEST(*CanonicalPattern("*") == "*");
  BOOST_TEST(!CanonicalPattern("*@xn--zz.org").ok());
}

BOOST_AUTO_TEST_CASE(display_form_for_people) {
  BOOST_TEST(DisplayDomain("xn--exmple-cua.org") == "exämple.org");
  BOOST_TEST(DisplayDomain("example.org") == "example.org");
}

// Tests for quota/identity.h: login normalisation and address prefixes.
#include <boost/test/unit_test.hpp>

#include "quota/identity.h"

using namespace sendguard::quota;

BOOST_AUTO_TEST_CASE(quota_identity_login_is_case_folded_by_default) {
  QuotaOptions options;
  auto id = Identity::FromLogin("  Alice@Example.ORG ", options);
  BOOST_REQUIRE(id.ok());
  BOOST_TEST(id->name() == "alice@example.org");
  BOOST_TEST(id->domain() == "example.org");
  BOOST_TEST(id->UserSubject() == "u:alice@example.org");
  BOOST_TEST(id->DomainSubject() == "d:example.org");
  options.case_fold = false;
  auto kept = Identity::FromLogin("Alice@Example.ORG", options);
  BOOST_TEST(kept->name() == "Alice@example.org");  // the local part keeps its case
  BOOST_TEST(kept->domain() == "example.org");  // domains are always case-insensitive
}

BOOST_AUTO_TEST_CASE(quota_identity_rejects_bad_logins) {
  QuotaOptions options;
  BOOST_TEST(!Identity::FromLogin("   ", options).ok());
  BOOST_TEST(!Identity::FromLogin(std::string(400, 'a'), options).ok());
  BOOST_TEST(!Identity::FromLogin("a\nb", options).ok());
  auto plain = Identity::FromLogin("bob", options);
  BOOST_TEST(plain->domain().empty());
  BOOST_TEST(plain->DomainSubject().empty());
}

BOOST_AUTO_TEST_CASE(quota_identity_client_address_prefixes) {
  QuotaOptions options;
  BOOST_TEST(Identity::FromClientAddress("192.0.2.77", options)->name() == "ip:192.0.2.77/32");
  options.ipv4_prefix = 24;
  BOOST_TEST(Identity::FromClientAddress("192.0.2.77", options)->name() == "ip:192.0.2.0/24");
  BOOST_TEST(Identity::FromClientAddress("[192.0.2.77]", options)->name() == "ip:192.0.2.0/24");
  BOOST_TEST(Identity::FromClientAddress("2001:db8:1:2:3::9", options)->name() ==
             "ip:2001:db8:1:2::/64");
  BOOST_TEST(Identity::FromClientAddress("IPv6:2001:db8::1", options)->name() ==
             "ip:2001:db8::/64");
  BOOST_TEST(!Identity::FromClientAddress("not-an-ip", options).ok());
  BOOST_TEST(Identity::FromClientAddress("192.0.2.77", options)->domain().empty());
  BOOST_TEST(Identity::FromCliArgument("ip:192.0.2.5", options)->name() == "ip:192.0.2.0/24");
}

// However the domain is spelled (U-label, A-label, any case, NFD), one
// identity and one domain aggregate.
BOOST_AUTO_TEST_CASE(quota_identity_one_per_idn_domain) {
  QuotaOptions options;
  for (const char* login : {"demo@exämple.org", "demo@xn--exmple-cua.org", "Demo@EXÄMPLE.org",
                            "demo@exa\xCC\x88mple.org"}) {
    auto id = Identity::FromLogin(login, options);
    BOOST_REQUIRE(id.ok());
    BOOST_TEST(id->UserSubject() == "u:demo@xn--exmple-cua.org", login);
    BOOST_TEST(id->DomainSubject() == "d:xn--exmple-cua.org", login);
  }
  // Not valid IDNA: counted as written, never an error.
  BOOST_TEST(Identity::FromLogin("demo@xn--zz.org", options)->name() == "demo@xn--zz.org");
}

// Tests for mime/address.h and mime/uri.h.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "core/strings.h"
#include "mime/address.h"
#include "mime/uri.h"

using namespace sendguard::mime;

namespace {
std::vector<std::string> Found(std::string_view text) {
  std::vector<std::string> out;
  FindUris(text, &out);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(address_forms) {
  auto a = ParseAddressList(" \"Doe, John\" <john@example.com>");
  BOOST_TEST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].name == "Doe, John");
  BOOST_TEST(a[0].address == "john@example.com");

  a = ParseAddressList("Jane Roe <jane@example.org>, bob@example.net (Bob B), carol@x.y");
  BOOST_TEST_REQUIRE(a.size() == 3u);
  BOOST_TEST(a[0].name == "Jane Roe");
  BOOST_TEST(a[1].address == "bob@example.net");
  BOOST_TEST(a[1].name == "Bob B");
  BOOST_TEST(a[2].address == "carol@x.y");
  BOOST_TEST(a[2].name == "");
}

BOOST_AUTO_TEST_CASE(address_encoded_names_groups_routes) {
  auto a = ParseAddressList("=?utf-8?B?Sm9zw6k=?= <jose@example.com>");
  BOOST_TEST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].name == "Jos\xC3\xA9");
  a = ParseAddressList("undisclosed-recipients:;");
  BOOST_TEST(a.empty());
  a = ParseAddressList("Team: a@b.c, \"X\" <d@e.f>;, g@h.i");
  BOOST_TEST_REQUIRE(a.size() == 3u);
  BOOST_TEST(a[0].address == "a@b.c");
  BOOST_TEST(a[1].address == "d@e.f");
  BOOST_TEST(a[2].address == "g@h.i");
  a = ParseAddressList("<@relay.example:user@example.com>");
  BOOST_TEST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].address == "user@example.com");
  // A display name that spoofs an address is only a name.
  a = ParseAddressList("\"paypal@paypal.com\" <evil@phish.example>");
  BOOST_TEST(a[0].address == "evil@phish.example");
  BOOST_TEST(a[0].name == "paypal@paypal.com");
  BOOST_TEST(sendguard::DomainOf("Evil@Phish.EXAMPLE") == "phish.example");
  BOOST_TEST(ParseAddressList("a@b, c@d, e@f", 2).size() == 2u);
}

BOOST_AUTO_TEST_CASE(uri_normalisation) {
  BOOST_TEST(NormalizeUri("HTTP://WWW.Example.COM/Path?Q=1") == "http://www.example.com/Path?Q=1");
  BOOST_TEST(NormalizeUri("www.example.com/x") == "http://www.example.com/x");
  BOOST_TEST(NormalizeUri("http://%65xample.com./a%20b") == "http://example.com/a%20b");
  BOOST_TEST(NormalizeUri("https://user@Host.Example:8443/") == "https://user@host.example:8443/");
  BOOST_TEST(NormalizeUri(" http://exa\nmple.com ") == "http://example.com");
  BOOST_TEST(NormalizeUri("http:\\\\evil.example\\x") == "http://evil.example\\x");
  BOOST_TEST(NormalizeUri("MAILTO:Someone@Example.com") == "mailto:Someone@Example.com");
  BOOST_TEST(NormalizeUri("//cdn.example.com/a.js") == "http://cdn.example.com/a.js");
  BOOST_TEST(NormalizeUri("relative/path.html") == "");
  BOOST_TEST(NormalizeUri("#top") == "");
}

BOOST_AUTO_TEST_CASE(uri_finding_in_text) {
  auto u = Found("Visit http://a.example/x. Or (www.b.example) or mailto:x@c.example!");
  BOOST_TEST_REQUIRE(u.size() == 3u);
  BOOST_TEST(u[0] == "http://a.example/x");
  BOOST_TEST(u[1] == "http://www.b.example");
  BOOST_TEST(u[2] == "mailto:x@c.example");
  u = Found("see <https://Secure.Example/login?a=1&b=2> now; ftp://f.example");
  BOOST_TEST_REQUIRE(u.size() == 2u);
  BOOST_TEST(u[0] == "https://secure.example/login?a=1&b=2");
  BOOST_TEST(u[1] == "ftp://f.example");
  // No URL: words with colons, "www" inside words, bare schemes.
  BOOST_TEST(Found("Note: time 10:30, awww.no, http: nothing").empty());
  u = Found("CALL NOW: WWW.SHOUT.EXAMPLE/OFFER, www.");
  BOOST_TEST_REQUIRE(u.size() == 1u);
  BOOST_TEST(u[0] == "http://www.shout.example/OFFER");
  // The www inside an already found URL is not counted twice.
  BOOST_TEST(Found("http://www.x.example/www.y").size() == 1u);
}

// Bare mail addresses in text become mailto: URIs, as in SpamAssassin's text
// URI parser; addresses inside a URL, cid: references and hosts without a
// letter TLD do not.
BOOST_AUTO_TEST_CASE(find_uris_turns_bare_mail_addresses_into_mailto) {
  std::vector<std::string> found;
  FindUris("Write to <Postmaster@Example.ORG>, or e-mail:bob@mail.example.net. "
           "See http://x.example/?to=carol@example.com and [cid:image001.png@01D4986E.E3459640] "
           "or joe@localhost, v@gra",
           &found);
  std::vector<std::string> want = {"http://x.example/?to=carol@example.com",
                                   "mailto:Postmaster@Example.ORG", "mailto:bob@mail.example.net"};
  BOOST_TEST(found == want, boost::test_tools::per_element());
}

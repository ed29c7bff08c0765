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
  std::vector<std::string> want = {"mailto:Postmaster@Example.ORG", "mailto:bob@mail.example.net",
                                   "http://x.example/?to=carol@example.com"};
  BOOST_TEST(found == want, boost::test_tools::per_element());
}

namespace {
TldList SomeTlds() {
  TldList t;
  for (const char* n : {"com", "org", "net", "uk", "md", "txt-no", "DE"}) t.Add(n);
  return t;
}

std::vector<std::string> FoundWith(std::string_view text, const TldList& tlds) {
  std::vector<std::string> out;
  FindUris(text, &out, tlds);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(tld_list_is_case_insensitive) {
  TldList t = SomeTlds();
  BOOST_TEST(t.Contains("COM"));
  BOOST_TEST(t.Contains("de"));
  BOOST_TEST(!t.Contains("co"));
  BOOST_TEST(!t.Contains(""));
  BOOST_TEST(TldList::None().empty());
}

// Host names ending in a listed TLD are URLs, as SpamAssassin's text URI
// scanner reads them (each case checked against SpamAssassin 4.0.1's
// get_uri_list): a delimiter before, the end of the URL after.
BOOST_AUTO_TEST_CASE(find_uris_takes_schemeless_hosts_ending_in_a_listed_tld) {
  TldList tlds = SomeTlds();
  std::vector<std::string> found = FoundWith(
      "Visit docs.python.org. and example.com, or (example.net) and readme.md\n"
      "test.co.uk/path/a?b=1 and a_b.c.com plus foo_bar.com and x.y.z 1.2.3.4\n"
      "foo.com/bar@baz.com and user.name@mail.example.org, file.txt\n"
      "exampleCOM.Com:8080/p end example.com/ end -dash.com mail.example.com.evil",
      tlds);
  std::vector<std::string> want = {"http://docs.python.org", "http://readme.md",
                                   "http://test.co.uk/path/a?b=1", "http://a_b.c.com",
                                   "http://foo.com/bar@baz.com", "mailto:user.name@mail.example.org",
                                   "http://examplecom.com:8080/p"};
  BOOST_TEST(found == want, boost::test_tools::per_element());
}

// A match hides what starts inside it: the host in a scheme URL and the
// one in a mail address are not found again on their own.
BOOST_AUTO_TEST_CASE(find_uris_schemeless_never_inside_other_matches) {
  TldList tlds = SomeTlds();
  std::vector<std::string> found =
      FoundWith("see https://a.example.com/x.org and ann@b.example.net or www.c.org "
                "and foo.com/a'b@c.org",
                tlds);
  std::vector<std::string> want = {"https://a.example.com/x.org", "mailto:ann@b.example.net",
                                   "http://www.c.org", "http://foo.com/a'b@c.org"};
  BOOST_TEST(found == want, boost::test_tools::per_element());
}

// With a TLD list, a mail domain must end in one of its names.
BOOST_AUTO_TEST_CASE(find_uris_checks_mail_domains_against_the_tld_list) {
  TldList tlds = SomeTlds();
  std::vector<std::string> found = FoundWith("to bob@example.org and eve@example.invalid", tlds);
  std::vector<std::string> want = {"mailto:bob@example.org"};
  BOOST_TEST(found == want, boost::test_tools::per_element());
  // Without a list, any 2+ letter last label passes and nothing is schemeless.
  BOOST_TEST(Found("to eve@example.invalid and example.com/x").size() == 1u);
}

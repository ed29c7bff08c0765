// Tests for the dns module: the static DNS data file and the static TXT
// resolver (CNAME chains, loops, TEMPFAIL, TIMEOUT).
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "dns/dns_data.h"
#include "dns/txt_resolver.h"

namespace sendguard::dns {

BOOST_AUTO_TEST_CASE(dns_data_parses_all_types) {
  Result<std::vector<DnsRecord>> r = ParseDnsData(
      "# comment\n\n"
      "Example.ORG.  TXT \"v=spf1 \" \"-all\"  # trailing comment\n"
      "q.example TXT \"say \\\"hi\\\"\"\n"
      "mail.example.org A 192.0.2.25\n"
      "mail.example.org AAAA 2001:db8::25\n"
      "example.org MX 10 Mail.Example.org.\n"
      "flaky.example TEMPFAIL\n"
      "slow.example timeout\n",
      "t.zone");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_REQUIRE(r->size() == 7u);
  BOOST_TEST((*r)[0].name == "example.org");
  BOOST_TEST((*r)[0].data == "v=spf1 -all");
  BOOST_TEST((*r)[0].line == 3);
  BOOST_TEST((*r)[1].data == "say \"hi\"");
  BOOST_TEST((*r)[4].data == "mail.example.org");
  BOOST_TEST(static_cast<int>((*r)[6].type) == static_cast<int>(DnsRecordType::kTimeout));
}

BOOST_AUTO_TEST_CASE(dns_data_errors_name_file_and_line) {
  auto err = [](const std::string& text) { return ParseDnsData(text, "f.zone").status().message(); };
  BOOST_TEST(err("a.example TXT v=spf1\n") == "f.zone:1: TXT data must be \"quoted\"");
  BOOST_TEST(err("\na.example TXT \"open\n") == "f.zone:2: unterminated quoted string");
  BOOST_TEST(err("a.example SRV x\n") == "f.zone:1: unknown record type 'SRV'");
  BOOST_TEST(err("a.example AAAA 192.0.2.1\n") == "f.zone:1: bad address '192.0.2.1'");
  BOOST_TEST(err("bad..name A 192.0.2.1\n") == "f.zone:1: bad name 'bad..name'");
  BOOST_TEST(err("a.example A 192.0.2.1 extra\n") == "f.zone:1: unexpected text after the record");
  BOOST_TEST((LoadDnsDataFile("/nonexistent.zone").status().code() == Status::Code::kIoError));
}

BOOST_AUTO_TEST_CASE(dns_data_parses_cname) {
  Result<std::vector<DnsRecord>> r =
      ParseDnsData("s1._domainkey.Example.ORG CNAME S1._domainkey.Example.NET.\n", "t.zone");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(static_cast<int>((*r)[0].type) == static_cast<int>(DnsRecordType::kCname));
  BOOST_TEST((*r)[0].data == "s1._domainkey.example.net");
  BOOST_TEST(ParseDnsData("a.example CNAME bad..target\n", "t.zone").status().message() ==
             "t.zone:1: bad host name 'bad..target'");
}

namespace {

std::unique_ptr<TxtResolver> Resolver(const std::string& text) {
  Result<std::vector<DnsRecord>> r = ParseDnsData(text, "t.zone");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return NewStaticTxtResolver(*r, 1);
}

}  // namespace

BOOST_AUTO_TEST_CASE(static_txt_follows_cnames_and_joins_strings) {
  auto dns = Resolver(
      "sel._domainkey.a.example CNAME sel._domainkey.b.example\n"
      "sel._domainkey.b.example CNAME sel.keys.c.example\n"
      "sel.keys.c.example TXT \"v=DKIM1; \" \"p=AB\" \"CD\"\n"
      "sel.keys.c.example TXT \"other\"\n"
      "sel.keys.c.example A 192.0.2.1\n");
  TxtAnswer a = dns->LookupTxt("SEL._domainkey.a.example.");
  BOOST_TEST((a.outcome == TxtAnswer::Outcome::kFound));
  BOOST_TEST(a.records == (std::vector<std::string>{"v=DKIM1; p=ABCD", "other"}), boost::test_tools::per_element());
  BOOST_TEST(a.aliases == (std::vector<std::string>{"sel._domainkey.b.example", "sel.keys.c.example"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(static_txt_missing_tempfail_loop) {
  auto dns = Resolver(
      "only-a.example A 192.0.2.1\n"
      "flaky.example TEMPFAIL\n"
      "loop1.example CNAME loop2.example\n"
      "loop2.example CNAME loop1.example\n"
      "dangling.example CNAME nowhere.example\n");
  BOOST_TEST((dns->LookupTxt("absent.example").outcome == TxtAnswer::Outcome::kNoRecord));
  BOOST_TEST((dns->LookupTxt("only-a.example").outcome == TxtAnswer::Outcome::kNoRecord));
  BOOST_TEST((dns->LookupTxt("dangling.example").outcome == TxtAnswer::Outcome::kNoRecord));
  BOOST_TEST((dns->LookupTxt("flaky.example").outcome == TxtAnswer::Outcome::kTempFail));
  TxtAnswer loop = dns->LookupTxt("loop1.example");
  BOOST_TEST((loop.outcome == TxtAnswer::Outcome::kTempFail));
  BOOST_TEST(loop.error.find("more than 8 CNAMEs") == 0u);
}

BOOST_AUTO_TEST_CASE(static_txt_timeout_waits_the_query_timeout_then_says_so) {
  auto dns = Resolver("slow.example TIMEOUT\n");
  auto start = std::chrono::steady_clock::now();
  TxtAnswer a = dns->LookupTxt("slow.example");
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST((a.outcome == TxtAnswer::Outcome::kTimeout));
  BOOST_TEST(waited >= 0.9);
}

BOOST_AUTO_TEST_CASE(open_txt_resolver_names_the_file_line) {
  BOOST_TEST(OpenTxtResolver("/nonexistent.zone", 1).status().message().find("/nonexistent.zone") == 0u);
}

}  // namespace sendguard::dns

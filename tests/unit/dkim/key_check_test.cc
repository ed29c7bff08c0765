// Tests for dkim/key_record.h and dkim/key_check.h: the DKIM key record
// parser (split strings, white space, unknown tags, empty p=, CNAME) and the
// judgement of each key's published record.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>

#include "dkim/key_check.h"
#include "dkim/key_record.h"
#include "dkim_test_util.h"

using namespace sendguard;
using namespace sendguard::dkim;
using namespace sendguard::dkim::testing;

namespace {

std::string ParseError(const std::string& text) {
  Result<KeyRecord> r = ParseKeyRecord(text);
  return r.ok() ? "" : r.status().message();
}

KeyProbe Probe(KeyType type, int bits, const std::string& p) {
  return KeyProbe{"k1", "example.com", "s1", type, bits, p, true};
}

dns::TxtAnswer Found(std::vector<std::string> records) {
  dns::TxtAnswer a;
  a.outcome = dns::TxtAnswer::Outcome::kFound;
  a.records = std::move(records);
  return a;
}

std::unique_ptr<dns::TxtResolver> Zone(const std::string& text) {
  Result<std::vector<dns::DnsRecord>> r = dns::ParseDnsData(text, "t.zone");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return dns::NewStaticTxtResolver(*r, 1);
}

// The test key's p= value, from the record keygen printed for it.
std::string SharedRsaPublicKey() {
  std::ifstream in(SharedTestKeys().dns_file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("rsa2048._domainkey", 0) != 0) continue;
    return line.substr(line.find("p=") + 2);
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(record_tags_white_space_and_unknown_tags) {
  Result<KeyRecord> r = ParseKeyRecord(" v=DKIM1 ;  k = ED25519; n=notes; x_future=1 ;t=y:s; p = AB CD\t+/==;  ");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->key_type == "ed25519");
  BOOST_TEST(r->public_key == "ABCD+/==");
  BOOST_TEST(r->testing());
  BOOST_TEST(r->AllowsSha256Email());
  BOOST_TEST(ParseKeyRecord("p=AAAA")->key_type == "rsa");  // k= defaults to rsa, v= optional
}

BOOST_AUTO_TEST_CASE(record_empty_p_is_revoked_and_h_s_limits) {
  BOOST_TEST(ParseKeyRecord("v=DKIM1; k=rsa; p=")->revoked());
  BOOST_TEST(ParseKeyRecord("v=DKIM1; p= ;")->revoked());
  BOOST_TEST(!ParseKeyRecord("h=sha1; p=AAAA")->AllowsSha256Email());
  BOOST_TEST(ParseKeyRecord("h=sha1:sha256; s=email; p=AAAA")->AllowsSha256Email());
  BOOST_TEST(!ParseKeyRecord("s=other; p=AAAA")->AllowsSha256Email());
}

BOOST_AUTO_TEST_CASE(record_errors_say_why) {
  BOOST_TEST(ParseError("k=rsa; v=DKIM1; p=AAAA") == "v= must be the first tag");
  BOOST_TEST(ParseError("v=DKIM2; p=AAAA") == "v=DKIM2 is not DKIM1");
  BOOST_TEST(ParseError("v=DKIM1; k=rsa") == "no p= tag");
  BOOST_TEST(ParseError("p=AAAA; p=BBBB") == "tag p= given twice");
  BOOST_TEST(ParseError("p=AAAA; junk") == "'junk' is not tag=value");
  BOOST_TEST(ParseError("p=AA*A") == "p= is not base64");
  BOOST_TEST(ParseError("1x=2; p=AAAA") == "bad tag name '1x'");
}

BOOST_AUTO_TEST_CASE(judge_each_state) {
  KeyProbe p = Probe(KeyType::kRsa, 2048, "AAAA");
  auto state = [&](const dns::TxtAnswer& a) { return std::string(KeyStateName(JudgeAnswer(p, a).state)); };
  BOOST_TEST(state(Found({"v=DKIM1; k=rsa; p=AAAA"})) == "match");
  BOOST_TEST(state(Found({"v=DKIM1; k=rsa; p=BBBB"})) == "mismatch");
  BOOST_TEST(state(Found({"v=DKIM1; k=ed25519; p=AAAA"})) == "mismatch");
  BOOST_TEST(state(Found({"v=DKIM1; p="})) == "revoked");
  BOOST_TEST(state(Found({"google-site-verification=x"})) == "missing");
  BOOST_TEST(state(dns::TxtAnswer{}) == "missing");
  BOOST_TEST(state(Found({"v=DKIM1; p=AAAA", "v=DKIM1; p=AAAA"})) == "mismatch");
  BOOST_TEST(state(Found({"v=DKIM1; p=AAAA; p=AAAA"})) == "mismatch");
  BOOST_TEST(state(Found({"spf-ish", "v=DKIM1; p=AAAA"})) == "match");
  dns::TxtAnswer timeout;
  timeout.outcome = dns::TxtAnswer::Outcome::kTimeout;
  BOOST_TEST(state(timeout) == "unreachable");
  KeyProbe weak = Probe(KeyType::kRsa, 1024, "AAAA");
  BOOST_TEST(KeyStateName(JudgeAnswer(weak, Found({"p=AAAA"})).state) == std::string("weak"));
  KeyProbe percent = p;
  percent.domain = "%";
  BOOST_TEST(KeyStateName(JudgeAnswer(percent, Found({"p=AAAA"})).state) == std::string("unchecked"));
  BOOST_TEST(JudgeAnswer(p, Found({"v=DKIM1; t=y; p=AAAA"})).testing);
  // A hostile record's bytes never reach a report raw (the JSON stays UTF-8).
  KeyCheck junk = JudgeAnswer(p, Found({"v=DKIM1; \xc8\x01junk; p=AAAA"}));
  BOOST_TEST(junk.detail == "the record does not parse: '??junk' is not tag=value");
}

BOOST_AUTO_TEST_CASE(split_strings_and_cname_delegation_through_the_data_file) {
  std::string p = SharedRsaPublicKey();
  BOOST_REQUIRE(p.size() > 300u);
  // An RSA-2048 record is longer than one 255-byte string: publish it split
  // mid-base64, behind a CNAME as Microsoft 365 hands out.
  std::string zone = "s1._domainkey.example.com CNAME s1-example-com._domainkey.tenant.example\n"
                     "s1-example-com._domainkey.tenant.example TXT \"v=DKIM1; k=rsa; \" \"p=" +
                     p.substr(0, 200) + "\" \"" + p.substr(200) + "\"\n";
  auto dns = Zone(zone);
  KeyCheck c = CheckKey(Probe(KeyType::kRsa, 2048, p), *dns);
  BOOST_TEST(KeyStateName(c.state) == std::string("match"));
  BOOST_TEST(c.aliases == std::vector<std::string>{"s1-example-com._domainkey.tenant.example"},
             boost::test_tools::per_element());
  KeyCheck other = CheckKey(Probe(KeyType::kRsa, 2048, p.substr(1)), *dns);
  BOOST_TEST(KeyStateName(other.state) == std::string("mismatch"));
}

BOOST_AUTO_TEST_CASE(probes_carry_the_public_key_of_each_key) {
  TempDir dir;
  DkimOptions o = OptionsFor(dir, {"rsa"});
  auto keys = KeySet::Load(o);
  BOOST_REQUIRE_MESSAGE(keys.ok(), keys.status().ToString());
  Result<std::vector<KeyProbe>> probes = ProbesOf(**keys);
  BOOST_REQUIRE(probes.ok());
  BOOST_REQUIRE(probes->size() == 1u);
  BOOST_TEST((*probes)[0].public_key == SharedRsaPublicKey());
  BOOST_TEST((*probes)[0].RecordName() == "rsa2048._domainkey.example.com");
}

BOOST_AUTO_TEST_CASE(reports_text_json_and_the_pipe_line) {
  std::vector<KeyProbe> probes = {Probe(KeyType::kRsa, 2048, "AAAA"), Probe(KeyType::kEd25519, 0, "BBBB")};
  probes[1].name = "k2";
  probes[1].selector = "s2";
  KeyCheck match{KeyState::kMatch, "", {"x.example"}, false};
  KeyCheck missing{KeyState::kMissing, "no TXT record", {}, false};
  std::string text = CheckReportText(probes, {match, missing});
  BOOST_TEST(text == "match       s1._domainkey.example.com  key=k1 rsa-2048 via CNAME x.example\n"
                     "missing     s2._domainkey.example.com  key=k2 ed25519: no TXT record\n");
  std::string json = CheckReportJson(probes, {match, missing});
  BOOST_TEST(json.find("\"state\":\"missing\",\"usable\":false") != std::string::npos);
  BOOST_TEST(json.find("\"cname\":[\"x.example\"]") != std::string::npos);
  BOOST_TEST(json.find("\"problems\":1}") != std::string::npos);
  size_t index = 0;
  KeyCheck back;
  std::string line = EncodeCheck(7, KeyCheck{KeyState::kRevoked, "a\tb", {"c.example", "d.example"}, true});
  BOOST_REQUIRE(DecodeCheck(line.substr(0, line.size() - 1), &index, &back));
  BOOST_TEST(index == 7u);
  BOOST_TEST(KeyStateName(back.state) == std::string("revoked"));
  BOOST_TEST(back.detail == "a b");
  BOOST_TEST(back.aliases.size() == 2u);
  BOOST_TEST(back.testing);
  BOOST_TEST(!DecodeCheck("x\tmatch\tn\t\t", &index, &back));
  BOOST_TEST(!DecodeCheck("1\tbogus\tn\t\t", &index, &back));
}

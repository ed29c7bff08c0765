// Tests for the pure parts of the spf module: public suffix
// list, DMARC records, helper protocol decoding, Decide().
#include <boost/test/unit_test.hpp>

#include "spf/decide.h"
#include "spf/dmarc.h"
#include "spf/helper_protocol.h"
#include "spf/public_suffix.h"
#include "spf/wire.h"

namespace sendguard::spf {

BOOST_AUTO_TEST_CASE(public_suffix_rules_wildcards_exceptions) {
  auto psl = PublicSuffixList::Parse(
      "// comment\ncom\nuk\nco.uk\n*.ck\n!www.ck\n// ===BEGIN PRIVATE DOMAINS===\n"
      "blogspot.com\n");
  BOOST_TEST(psl->OrganizationalDomain("a.b.example.com") == "example.com");
  BOOST_TEST(psl->OrganizationalDomain("News.Shop.CO.UK.") == "shop.co.uk");
  BOOST_TEST(psl->OrganizationalDomain("x.y.foo.ck") == "y.foo.ck");
  BOOST_TEST(psl->OrganizationalDomain("a.www.ck") == "www.ck");
  BOOST_TEST(psl->OrganizationalDomain("me.blogspot.com") == "me.blogspot.com");
  BOOST_TEST(psl->OrganizationalDomain("co.uk") == "co.uk");
  BOOST_TEST(psl->OrganizationalDomain("a.b.unlisted") == "b.unlisted");  // implicit "*"
  auto fallback = PublicSuffixList::FallbackOnly();
  BOOST_TEST(fallback->OrganizationalDomain("news.shop.co.uk") == "co.uk");
}

BOOST_AUTO_TEST_CASE(public_suffix_debian_list_loads) {
  Result<std::shared_ptr<const PublicSuffixList>> psl = PublicSuffixList::Load(kDefaultPublicSuffixFile);
  BOOST_REQUIRE_MESSAGE(psl.ok(), psl.status().ToString());
  BOOST_TEST((*psl)->rule_count() > 5000u);
  BOOST_TEST((*psl)->OrganizationalDomain("mail.example.co.uk") == "example.co.uk");
  BOOST_TEST((*psl)->OrganizationalDomain("a.b.example.com") == "example.com");
}

BOOST_AUTO_TEST_CASE(dmarc_record_parsing) {
  Result<DmarcRecord> r = ParseDmarcRecord("v=DMARC1; p=Reject; sp=quarantine; adkim=s; rua=x");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->policy == "reject");
  BOOST_TEST(*r->subdomain_policy == "quarantine");
  BOOST_TEST(r->strict_dkim);
  BOOST_TEST(!r->strict_spf);
  BOOST_TEST(ParseDmarcRecord("v=DMARC1; p=bogus")->policy == "none");
  BOOST_TEST(!ParseDmarcRecord("p=reject; v=DMARC1").ok());
  BOOST_TEST(!SelectDmarcRecord({"v=spf1 -all"}).ok());
  BOOST_TEST(!SelectDmarcRecord({"v=DMARC1; p=reject", "v=DMARC1; p=none"}).ok());
  BOOST_TEST(SelectDmarcRecord({"other", "v=DMARC1; p=reject"})->policy == "reject");
}

BOOST_AUTO_TEST_CASE(dmarc_alignment_modes) {
  auto psl = PublicSuffixList::Parse("com\nuk\nco.uk\n");
  BOOST_TEST(Aligned("mail.example.com", "example.com", false, *psl));
  BOOST_TEST(!Aligned("mail.example.com", "example.com", true, *psl));
  BOOST_TEST(Aligned("Example.com.", "example.com", true, *psl));
  BOOST_TEST(!Aligned("a.co.uk", "b.co.uk", false, *psl));
  BOOST_TEST(!Aligned("", "example.com", false, *psl));
}

BOOST_AUTO_TEST_CASE(protocol_round_trip_and_garbage) {
  HelperResponse resp;
  resp.seq = 7;
  resp.spf = {{SpfResult::kSoftFail, "c"}};
  TxtAnswer txt;
  txt.status = TxtAnswer::Status::kFound;
  txt.texts = {"v=DMARC1; p=none"};
  resp.txt = {txt};
  Result<Fields> fields = DecodePayload(EncodeFrame(EncodeResponse(resp)).substr(4));
  BOOST_REQUIRE(fields.ok());
  Result<HelperResponse> back = DecodeResponse(*fields);
  BOOST_REQUIRE(back.ok());
  BOOST_TEST(back->seq == 7u);
  BOOST_TEST(back->spf[0].result == SpfResult::kSoftFail);
  BOOST_TEST(back->txt[0].texts[0] == "v=DMARC1; p=none");
  BOOST_TEST(!DecodeResponse({"resp", "1", "1", "maybe", "c", "0"}).ok());
  BOOST_TEST(!DecodeResponse({"resp", "1", "99999", "pass"}).ok());
  BOOST_TEST(!DecodeResponse({"resp", "x"}).ok());
  BOOST_TEST(!DecodePayload(std::string("\0\0\0\x09" "ab", 6)).ok());
  BOOST_TEST(!DecodeInit({"init", "", "99", "2", "nobody"}).ok());
}

BOOST_AUTO_TEST_CASE(decide_picks_most_severe_and_none_when_clean) {
  SpfOptions o;
  o.egress_ips = {"192.0.2.10"};
  o.egress_fail_action = Action::kTag;
  o.dmarc_action = Action::kReject;
  PreflightRequest req;
  req.envelope_domain = "a.example";
  req.from_domain = "b.example";
  PreflightResult r;
  r.egress = {{"192.0.2.10", SpfResult::kSoftFail, ""}};
  r.dmarc.state = DmarcOutcome::State::kFound;
  r.dmarc.policy = "quarantine";
  Decision d = Decide(req, r, o);
  BOOST_TEST(d.action == Action::kReject);
  BOOST_TEST(d.reason == "dmarc");
  BOOST_TEST(d.ReplyLine().rfind("550 5.7.1 b.example publishes DMARC p=quarantine", 0) == 0);
  r.dmarc.policy = "none";
  d = Decide(req, r, o);
  BOOST_TEST(d.action == Action::kTag);
  BOOST_TEST(d.ReplyLine() == "");
  r.egress[0].result = SpfResult::kPass;
  BOOST_TEST(Decide(req, r, o).action == Action::kNone);
  r.egress[0].result = SpfResult::kNone;  // no SPF at all is not acted on
  BOOST_TEST(Decide(req, r, o).action == Action::kNone);
}

// The public suffix list writes IDN suffixes as U-labels; alignment compares
// the A-labels, so both spellings of a domain align and an IDN suffix counts.
BOOST_AUTO_TEST_CASE(idn_domains_align_in_either_spelling) {
  auto psl = PublicSuffixList::Parse("org\ncn\n公司.cn\n");
  BOOST_TEST(psl->OrganizationalDomain("mail.xn--exmple-cua.org") == "xn--exmple-cua.org");
  BOOST_TEST(psl->OrganizationalDomain("a.b.xn--55qx5d.cn") == "b.xn--55qx5d.cn");
  BOOST_TEST(Aligned("mail.exämple.org", "xn--exmple-cua.org", false, *psl));
  BOOST_TEST(Aligned("EXÄMPLE.org", "xn--exmple-cua.org", true, *psl));
  BOOST_TEST(!Aligned("exämple.org", "example.org", false, *psl));
}

}  // namespace sendguard::spf

// Tests for sender/sender_policy.h (CIDR parsing: core/net_test; address
// syntax: mime/address_uri_test).
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "sender/sender_policy.h"

using namespace sendguard::sender;

namespace sendguard::sender {
std::ostream& operator<<(std::ostream& o, SenderVerdict v) { return o << VerdictName(v); }
}  // namespace sendguard::sender

namespace {

// A policy file in a temporary location, removed on destruction.
struct PolicyFile {
  explicit PolicyFile(const std::string& text) {
    char tmpl[] = "/tmp/sg-senders-XXXXXX";
    int fd = mkstemp(tmpl);
    BOOST_REQUIRE(fd >= 0);
    close(fd);
    path = tmpl;
    std::ofstream(path) << text;
  }
  ~PolicyFile() { std::remove(path.c_str()); }
  std::string path;
};

std::shared_ptr<const SenderPolicy> Load(const std::string& text, SenderOptions o = {}) {
  static std::vector<std::unique_ptr<PolicyFile>> files;  // kept until exit
  files.push_back(std::make_unique<PolicyFile>(text));
  o.policy_path = files.back()->path;
  auto p = SenderPolicy::Load(o);
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return *p;
}

SenderVerdict Verdict(const SenderPolicy& p, const std::string& login, const std::string& from,
                      const std::string& envelope = "") {
  return p.Check({login, "192.0.2.10"}, envelope, {" " + from}).verdict;
}

bool Allowed(const SenderPolicy& p, const std::string& login, const std::string& from) {
  return Verdict(p, login, from) == SenderVerdict::kAllowed;
}

const char* kPolicy =
    "# identity               allowed From addresses\n"
    "alice@example.org        sales@example.com, support@example.com   # shared mailboxes\n"
    "boss@example.org         *@example.net @example.info *.example.org\n"
    "intern@example.org       !default intern@example.org\n"
    "*@partner.example        partner.example, *@partner-mail.example\n"
    "webmaster                www@example.com\n"
    "192.0.2.0/24             @example.com\n"
    "2001:db8::/32            noreply@example.com\n";

}  // namespace

// The From address the check reads: one mailbox, lower-cased, whatever the
// display-name syntax; several mailboxes or none are refusals of their own.
BOOST_AUTO_TEST_CASE(reads_the_from_address_through_the_mime_parser) {
  auto p = SenderPolicy::Load(SenderOptions());
  BOOST_REQUIRE(p.ok());
  auto check = [&](const std::string& value) { return (*p)->Check({"", "192.0.2.1"}, "", {value}); };
  BOOST_TEST(check(" Alice <Alice@Example.ORG>").from_address == "alice@example.org");
  BOOST_TEST(check(" Alice <Alice@Example.ORG>").from_domain == "example.org");
  BOOST_TEST(check(" alice@example.org (Alice, Inc.)").from_address == "alice@example.org");
  BOOST_TEST(check(" \"Doe, John <x@y>\" <john@example.org>").from_address == "john@example.org");
  BOOST_TEST((check(" a@x.org,\r\n b@y.org").verdict == SenderVerdict::kMultipleFrom));
  BOOST_TEST((check(" team: a@x.org, b@y.org;").verdict == SenderVerdict::kMultipleFrom));
  BOOST_TEST((check(" undisclosed-recipients:;").verdict == SenderVerdict::kNoFrom));
  BOOST_TEST((check(" <>").verdict == SenderVerdict::kNoFrom));
  BOOST_TEST((check(" alice").verdict == SenderVerdict::kNoFrom));
}

BOOST_AUTO_TEST_CASE(default_rule_same_domain) {
  auto p = SenderPolicy::Load(SenderOptions());
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(Allowed(**p, "carol@example.org", "Carol <anything@EXAMPLE.org>"));
  BOOST_TEST(!Allowed(**p, "carol@example.org", "carol@example.com"));
  BOOST_TEST(!Allowed(**p, "carol@example.org", "carol@sub.example.org"));
  BOOST_TEST(!Allowed(**p, "carol", "carol@example.org"));  // no domain, no default
  SenderOptions off;
  off.default_same_domain = false;
  BOOST_TEST(!Allowed(**SenderPolicy::Load(off), "carol@example.org", "carol@example.org"));
}

BOOST_AUTO_TEST_CASE(maps_wildcards_and_shared_mailboxes) {
  auto p = Load(kPolicy);
  BOOST_TEST(Allowed(*p, "alice@example.org", "sales@example.com"));
  BOOST_TEST(Allowed(*p, "ALICE@example.org", "Support <support@example.com>"));
  BOOST_TEST(Allowed(*p, "alice@example.org", "alice@example.org"));  // default still applies
  BOOST_TEST(!Allowed(*p, "alice@example.org", "billing@example.com"));
  BOOST_TEST(Allowed(*p, "boss@example.org", "x@example.net"));
  BOOST_TEST(Allowed(*p, "boss@example.org", "x@example.info"));
  BOOST_TEST(Allowed(*p, "boss@example.org", "x@eu.example.org"));
  BOOST_TEST(!Allowed(*p, "boss@example.org", "x@sub.example.net"));
  BOOST_TEST(Allowed(*p, "intern@example.org", "intern@example.org"));
  BOOST_TEST(!Allowed(*p, "intern@example.org", "ceo@example.org"));  // !default
  BOOST_TEST(Allowed(*p, "anyone@partner.example", "x@partner-mail.example"));
  BOOST_TEST(Allowed(*p, "webmaster", "www@example.com"));
  BOOST_TEST(!Allowed(*p, "webmaster", "root@example.com"));
}

BOOST_AUTO_TEST_CASE(unauthenticated_senders_by_ip) {
  auto p = Load(kPolicy);
  auto check = [&](const std::string& ip, const std::string& from) {
    return p->Check({"", ip}, "", {" " + from}).verdict == SenderVerdict::kAllowed;
  };
  BOOST_TEST(check("192.0.2.7", "shop@example.com"));
  BOOST_TEST(!check("192.0.2.7", "shop@example.net"));
  BOOST_TEST(check("2001:db8::25", "noreply@example.com"));
  BOOST_TEST(!check("2001:db8::25", "info@example.com"));
  BOOST_TEST(check("198.51.100.1", "whatever@example.net"));  // unmatched: allowed by default
  SenderOptions strict;
  strict.allow_unmatched_unauthenticated = false;
  auto s = Load(kPolicy, strict);
  BOOST_TEST(s->Check({"", "198.51.100.1"}, "", {" a@example.net"}).verdict ==
             SenderVerdict::kNotAllowed);
}

BOOST_AUTO_TEST_CASE(refusal_reply_and_actions) {
  auto p = Load(kPolicy);
  SenderCheck c = p->Check({"alice@example.org", ""}, "<alice@example.org>", {" bob@example.net"});
  BOOST_TEST((c.verdict == SenderVerdict::kNotAllowed));
  BOOST_TEST((c.action == SenderAction::kReject));
  BOOST_TEST(c.reply.code == "550");
  BOOST_TEST(c.reply.xcode == "5.7.1");
  BOOST_TEST(c.reply.text == "<alice@example.org> is not authorised to send as <bob@example.net>");
  SenderOptions o;
  o.mismatch_action = SenderAction::kTempfail;
  c = Load(kPolicy, o)->Check({"alice@example.org", ""}, "", {" bob@example.net"});
  BOOST_TEST((c.action == SenderAction::kTempfail));
  BOOST_TEST(c.reply.code == "451");
  BOOST_TEST(c.reply.xcode == "4.7.1");
  o.mismatch_action = SenderAction::kSendUnsigned;
  c = Load(kPolicy, o)->Check({"alice@example.org", ""}, "", {" bob@example.net"});
  BOOST_TEST((c.action == SenderAction::kSendUnsigned));
  c = p->Check({"alice@example.org", ""}, "<sales@example.com>", {" Alice <alice@example.org>"});
  BOOST_TEST((c.verdict == SenderVerdict::kAllowed && c.action == SenderAction::kAccept));
  BOOST_TEST(c.from_domain == "example.org");
}

BOOST_AUTO_TEST_CASE(envelope_sender_is_checked_too) {
  auto p = Load(kPolicy);
  SenderCheck c = p->Check({"alice@example.org", ""}, "<x@evil.example>", {" alice@example.org"});
  BOOST_TEST((c.verdict == SenderVerdict::kNotAllowed));
  BOOST_TEST(c.reply.text.find("<x@evil.example> (envelope)") != std::string::npos);
  BOOST_TEST((p->Check({"alice@example.org", ""}, "<>", {" alice@example.org"}).verdict ==
              SenderVerdict::kAllowed));  // bounces
}

BOOST_AUTO_TEST_CASE(no_from_and_multiple_from_are_refused) {
  auto p = Load(kPolicy);
  SenderCheck none = p->Check({"alice@example.org", ""}, "", {});
  BOOST_TEST((none.verdict == SenderVerdict::kNoFrom && none.action == SenderAction::kReject));
  BOOST_TEST((p->Check({"alice@example.org", ""}, "", {" undisclosed:;"}).verdict ==
              SenderVerdict::kNoFrom));
  BOOST_TEST((p->Check({"alice@example.org", ""}, "", {" a@example.org", " b@example.org"}).verdict ==
              SenderVerdict::kMultipleFrom));
  BOOST_TEST((p->Check({"alice@example.org", ""}, "", {" a@example.org, b@example.org"}).verdict ==
              SenderVerdict::kMultipleFrom));
}

BOOST_AUTO_TEST_CASE(action_names_parse) {
  BOOST_TEST((*ParseSenderAction("unsigned") == SenderAction::kSendUnsigned));
  BOOST_TEST(!ParseSenderAction("drop").ok());
  BOOST_TEST(std::string(ActionName(SenderAction::kTempfail)) == "tempfail");
}

BOOST_AUTO_TEST_CASE(policy_errors_name_file_and_line) {
  PolicyFile f("alice@example.org  sales@example.com\n\nbob@example.org\n");
  SenderOptions o;
  o.policy_path = f.path;
  auto r = SenderPolicy::Load(o);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message() == f.path + ":3: 'bob@example.org' grants no address");
  PolicyFile g("10.0.0.0/40  @example.com\n");
  o.policy_path = g.path;
  BOOST_TEST(SenderPolicy::Load(o).status().message().find(g.path + ":1: ") == 0u);
  PolicyFile h("x@example.org  <a@b>\n");
  o.policy_path = h.path;
  BOOST_TEST(SenderPolicy::Load(o).status().message().find(":1: bad address pattern") !=
             std::string::npos);
  o.policy_path = "/nonexistent/senders.conf";
  BOOST_TEST(SenderPolicy::Load(o).status().message().find("/nonexistent/senders.conf") == 0u);
}

namespace {

std::string ShippedPolicyPath() {
  for (std::string prefix : {"", "../", "../../"})
    if (access((prefix + "policies/senders.conf").c_str(), R_OK) == 0)
      return prefix + "policies/senders.conf";
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(shipped_policy_and_its_examples_load) {
  std::string path = ShippedPolicyPath();
  BOOST_REQUIRE_MESSAGE(!path.empty(), "run from the source root");
  SenderOptions o;
  o.policy_path = path;
  BOOST_TEST(SenderPolicy::Load(o).ok());
  // The commented examples after "# Examples:" are valid policy lines too.
  std::ifstream in(path);
  std::string line, examples;
  bool on = false;
  while (std::getline(in, line)) {
    if (on && line.rfind("# ", 0) == 0) examples += line.substr(2) + "\n";
    if (line.rfind("# Examples:", 0) == 0) on = true;
  }
  BOOST_REQUIRE(!examples.empty());
  auto p = Load(examples);
  BOOST_TEST(Allowed(*p, "alice@example.org", "sales@example.com"));
  BOOST_TEST(!Allowed(*p, "noreply-bot@example.org", "boss@example.org"));
}

// A login in one spelling of an IDN domain may send as the other; policy
// lines may use either; a From whose domain is not IDNA is refused clearly.
BOOST_AUTO_TEST_CASE(idn_domains_are_one_domain) {
  auto p = SenderPolicy::Load(SenderOptions());
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(Allowed(**p, "demo@exämple.org", "Demo <demo@xn--exmple-cua.org>"));
  BOOST_TEST(Allowed(**p, "demo@xn--exmple-cua.org", "demo@EXÄMPLE.org"));
  BOOST_TEST(!Allowed(**p, "demo@exämple.org", "demo@example.org"));
  SenderCheck c = (*p)->Check({"demo@exämple.org", ""}, "", {" demo@exämple.org"});
  BOOST_TEST(c.from_domain == "xn--exmple-cua.org");
  SenderCheck bad = (*p)->Check({"demo@exämple.org", ""}, "", {" demo@xn--zz.org"});
  BOOST_TEST((bad.verdict == SenderVerdict::kNoFrom));
  BOOST_TEST(bad.reply.text.find("'xn--zz.org' is not a valid IDNA domain") != std::string::npos, bad.reply.text);
  auto lines = Load("*@bücher.example  *@xn--bcher-kva.example, @exämple.org\n");
  BOOST_TEST(Allowed(*lines, "x@bücher.example", "y@exämple.org"));
  BOOST_TEST(Allowed(*lines, "x@xn--bcher-kva.example", "z@BÜCHER.example"));
  PolicyFile broken("alice@example.org  *@xn--zz.org\n");
  SenderOptions o;
  o.policy_path = broken.path;
  auto r = SenderPolicy::Load(o);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find(broken.path + ":1: 'xn--zz.org' is not a valid IDNA") != std::string::npos,
             r.status().message());
}

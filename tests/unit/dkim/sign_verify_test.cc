// End-to-end signing tests: RSA (libopendkim) and Ed25519 (OpenSSL) signatures
// checked by two independent verifiers, dkimpy and OpenDKIM, no network.
#include <boost/test/unit_test.hpp>

#include <ctime>

#include "dkim/message_signer.h"
#include "dkim_test_util.h"

using namespace sendguard::dkim;
using namespace sendguard::dkim::testing;

BOOST_AUTO_TEST_CASE(rsa_and_ed25519_verify_with_both_verifiers) {
  for (bool libopendkim : {false, true}) {
    TempDir dir;
    DkimOptions o = OptionsFor(dir, {"rsa", "ed"});
    o.rsa_with_libopendkim = libopendkim;
    auto keys = KeySet::Load(o);
    BOOST_REQUIRE_MESSAGE(keys.ok(), keys.status().ToString());
    std::string msg = SignAndRender(*keys, SimpleMessage());
    BOOST_TEST_MESSAGE(msg);
    BOOST_TEST(VerifyWithDkimpy(msg, 2) == "");
    BOOST_TEST(VerifyWithOpenDkim(msg, 2) == "");
  }
}

namespace {

std::shared_ptr<const KeySet> LoadBoth(const TempDir& dir, const std::string& canon,
                                       uint64_t fixed_time = 0, bool libopendkim = false) {
  DkimOptions o = OptionsFor(dir, {"rsa", "ed"});
  o.fixed_time_for_tests = fixed_time;
  o.rsa_with_libopendkim = libopendkim;
  o.canon = *ParseCanonicalization(canon);
  auto keys = KeySet::Load(o);
  BOOST_REQUIRE_MESSAGE(keys.ok(), keys.status().ToString());
  return *keys;
}

void ExpectBothVerify(const std::string& msg) {
  BOOST_TEST(VerifyWithDkimpy(msg, 2) == "");
  BOOST_TEST(VerifyWithOpenDkim(msg, 2) == "");
}

// Each verifier must say "fail" of each signature itself: a verifier that
// did not run, or failed for another reason, does not count as a rejection.
const char kBothFail[] = "fail d=example.com s=rsa2048\nfail d=example.com s=ed1\n";

void ExpectVerdicts(const Verdicts& got, const std::string& want) {
  BOOST_TEST_INFO(got.output);
  BOOST_TEST(got.lines == want);
}

void ExpectBothReject(const std::string& msg) {
  ExpectVerdicts(DkimpyVerdicts(msg), kBothFail);
  ExpectVerdicts(OpenDkimVerdicts(msg), kBothFail);
}

TestMessage HardMessage() {
  TestMessage m = SimpleMessage();
  m.headers.insert(m.headers.begin(), {"Received", " from a by b;\r\n\tMon, 23 Nov 2026 10:00:00 +0000"});
  m.headers[3].value = " a  long\r\n   subject\t folded   \r\n\t over lines  ";  // Subject
  m.headers.push_back({"To", " second@example.net"});
  m.headers.push_back({"Content-Type", " text/plain;\r\n charset=\"utf-8\""});
  m.headers.push_back({"Content-Transfer-Encoding", " 8bit"});
  m.headers.push_back({"X-Mailer", "no-leading-space  "});
  m.body = "Gr\xc3\xbc\xc3\x9f""e aus K\xc3\xb6ln \xe2\x80\x94 \xf0\x9f\x93\xa7  \t \r\n"
           "  indented\t\tline   with   runs  \r\n" + std::string(990, 'x') + "\r\n" +
           "trailing blank lines\r\n\r\n \r\n\r\n";
  return m;
}

}  // namespace

struct Case { const char* canon; bool libopendkim; };

BOOST_AUTO_TEST_CASE(hard_message_verifies_relaxed_and_simple_any_chunking) {
  for (Case c : {Case{"relaxed/relaxed", false}, Case{"simple/simple", false},
                 Case{"relaxed/simple", false}, Case{"simple/relaxed", false},
                 Case{"relaxed/relaxed", true}, Case{"simple/simple", true}}) {
    BOOST_TEST_CONTEXT(c.canon << (c.libopendkim ? " rsa by libopendkim" : " rsa by openssl")) {
      TempDir dir;
      int64_t now = time(nullptr);
      auto keys = LoadBoth(dir, c.canon, now, c.libopendkim);
      std::string whole = SignAndRender(keys, HardMessage(), 65536, {}, now);
      ExpectBothVerify(whole);
      // Deterministic signatures (PKCS#1 v1.5, Ed25519) with a fixed t=: any
      // chunking of the body must give byte-identical output.
      for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}})
        BOOST_TEST(SignAndRender(keys, HardMessage(), chunk, {}, now) == whole);
    }
  }
}

BOOST_AUTO_TEST_CASE(empty_body_and_no_trailing_crlf_verify) {
  for (Case c : {Case{"relaxed/relaxed", false}, Case{"simple/simple", true}}) {
    BOOST_TEST_CONTEXT(c.canon << (c.libopendkim ? " rsa by libopendkim" : " rsa by openssl")) {
      TempDir dir;
      auto keys = LoadBoth(dir, c.canon, 0, c.libopendkim);
      TestMessage m = SimpleMessage();
      m.body = "";
      ExpectBothVerify(SignAndRender(keys, m));
      m.body = "last line without newline";
      // The message on the wire always ends with CRLF; both canons add it.
      std::string signed_msg = SignAndRender(keys, m) + "\r\n";
      ExpectBothVerify(signed_msg);
    }
  }
}

BOOST_AUTO_TEST_CASE(headers_added_after_signing_keep_signatures_valid) {
  TempDir dir;
  auto keys = LoadBoth(dir, "relaxed/relaxed");
  std::vector<Header> added = {{"X-Spam-Status", " No, score=1.2"},
                               {"X-Spam-Score", " 1.2"},
                               {"X-Sendguard", " accepted"}};
  ExpectBothVerify(SignAndRender(keys, SimpleMessage(), 1000, added));
}

// A verifier takes a signed header from the bottom up, so a From added below
// the signed one breaks any signature; one added above (what a reader's
// program shows first) breaks it only because From is oversigned.
BOOST_AUTO_TEST_CASE(oversigned_from_cannot_be_added_later) {
  TempDir dir;
  auto keys = LoadBoth(dir, "relaxed/relaxed");
  BOOST_TEST_CONTEXT("From added below") {
    ExpectBothReject(SignAndRender(keys, SimpleMessage(), 1000, {{"From", " evil@example.org"}}));
  }
  BOOST_TEST_CONTEXT("From added on top") {
    ExpectBothReject("From: evil@example.org\r\n" + SignAndRender(keys, SimpleMessage()));
  }
}

BOOST_AUTO_TEST_CASE(tampered_body_fails_both_verifiers) {
  TempDir dir;
  auto keys = LoadBoth(dir, "relaxed/relaxed");
  std::string msg = SignAndRender(keys, SimpleMessage());
  msg.replace(msg.find("see you"), 7, "see YOU");
  ExpectBothReject(msg);
}

BOOST_AUTO_TEST_CASE(expiry_adds_x_tag_and_still_verifies) {
  for (bool libopendkim : {false, true}) {
    TempDir dir;
    DkimOptions o = OptionsFor(dir, {"rsa", "ed"});
    o.expiry_seconds = 7 * 86400;
    o.rsa_with_libopendkim = libopendkim;
    auto keys = KeySet::Load(o);
    BOOST_REQUIRE(keys.ok());
    std::string msg = SignAndRender(*keys, SimpleMessage());
    size_t first = msg.find("x=");
    BOOST_TEST(first != std::string::npos);
    BOOST_TEST(msg.find("x=", first + 1) != std::string::npos);  // both signatures
    ExpectBothVerify(msg);
  }
}

BOOST_AUTO_TEST_CASE(expired_signature_is_rejected) {
  TempDir dir;
  DkimOptions o = OptionsFor(dir, {"rsa", "ed"});
  o.expiry_seconds = 60;
  auto keys = KeySet::Load(o);
  BOOST_REQUIRE(keys.ok());
  // Signed "two days ago": both verifiers check x= against their clock (the
  // Ed25519 signature carries our t=; proves x= is really t + expiry).
  std::string msg = SignAndRender(*keys, SimpleMessage(), 1000, {}, time(nullptr) - 2 * 86400);
  Verdicts dkimpy = DkimpyVerdicts(msg);
  ExpectVerdicts(dkimpy, kBothFail);
  BOOST_TEST(dkimpy.output.find("x= value is past") != std::string::npos, dkimpy.output);
  Verdicts opendkim = OpenDkimVerdicts(msg);
  ExpectVerdicts(opendkim, "permerror d=example.com s=rsa2048\npermerror d=example.com s=ed1\n");
  BOOST_TEST(opendkim.output.find("failed: signature expired") != std::string::npos, opendkim.output);
}

BOOST_AUTO_TEST_CASE(finish_returns_signing_table_order_and_milter_form) {
  TempDir dir;
  auto keys = KeySet::Load(OptionsFor(dir, {"ed", "rsa"}));
  BOOST_REQUIRE(keys.ok());
  auto signer = MessageSigner::Begin(*keys, "EXAMPLE.com", 1763892000);
  BOOST_REQUIRE(signer.ok() && *signer);
  BOOST_TEST((*signer)->AddHeader("From", " a@example.com").ok());
  BOOST_TEST((*signer)->EndHeaders().ok());
  auto sigs = (*signer)->Finish();
  BOOST_REQUIRE(sigs.ok());
  BOOST_REQUIRE(sigs->size() == 2u);
  BOOST_TEST((*sigs)[0].find(" v=1; a=ed25519-sha256;") == 0u);
  BOOST_TEST((*sigs)[1].find(" v=1; a=rsa-sha256;") == 0u);
  BOOST_TEST(ToMilterValue((*sigs)[0]).find('\r') == std::string::npos);
  BOOST_TEST((*signer)->Finish().ok() == false);  // only once
  BOOST_TEST((*signer)->AddBody("late").ok() == false);
}

BOOST_AUTO_TEST_CASE(unknown_domain_is_not_signed) {
  TempDir dir;
  auto keys = KeySet::Load(OptionsFor(dir, {"rsa"}));
  BOOST_REQUIRE(keys.ok());
  auto signer = MessageSigner::Begin(*keys, "example.org", 1763892000);
  BOOST_REQUIRE(signer.ok());
  BOOST_TEST(!*signer);
}

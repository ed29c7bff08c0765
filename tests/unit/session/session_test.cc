// Tests for session/session.h: identity, per-message flow, failure replies,
// and snapshot reload semantics.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "../temp_dir.h"
#include "session/session.h"

using namespace sendguard;

namespace {
// Files live in one directory removed when the test binary exits.
const test::TempDir& Scratch() {
  static const test::TempDir dir;
  return dir;
}

std::string WriteConfig(const std::string& text) {
  static int n = 0;
  return Scratch().Write("sendguard-" + std::to_string(++n) + ".conf", text);
}

std::shared_ptr<const Snapshot> MustLoad(const std::string& text) {
  auto snap = LoadSnapshot(WriteConfig(text));
  BOOST_REQUIRE_MESSAGE(snap.ok(), snap.status().ToString());
  return *snap;
}
}  // namespace

BOOST_AUTO_TEST_CASE(identity_prefers_login_and_folds_case) {
  auto snap = MustLoad("");
  Identity id = DetermineIdentity(snap->config, "Alice@Example.ORG", "127.0.0.1");
  BOOST_TEST((id.kind == Identity::Kind::kLogin));
  BOOST_TEST(id.ToString() == "alice@example.org");
}

BOOST_AUTO_TEST_CASE(identity_keeps_case_when_configured) {
  auto snap = MustLoad("[identity]\nfold_case = false\n");
  BOOST_TEST(DetermineIdentity(snap->config, "Alice", "").name == "Alice");
  // The same normaliser as the counted identity: trimmed, the domain canonical,
  // the local part folded only when asked.
  BOOST_TEST(DetermineIdentity(snap->config, " Alice@Exämple.ORG\t", "").name == "Alice@xn--exmple-cua.org");
}

BOOST_AUTO_TEST_CASE(identity_by_trusted_address_or_untrusted) {
  auto snap = MustLoad("[identity]\ntrusted_networks = [\"192.0.2.0/24\"]\n");
  Identity trusted = DetermineIdentity(snap->config, "", "192.0.2.9");
  BOOST_TEST((trusted.kind == Identity::Kind::kTrustedAddress));
  BOOST_TEST(trusted.ToString() == "192.0.2.9");
  Identity outsider = DetermineIdentity(snap->config, "", "198.51.100.7");
  BOOST_TEST((outsider.kind == Identity::Kind::kUntrusted));
  BOOST_TEST(outsider.ToString() == "198.51.100.7 (untrusted)");
}

BOOST_AUTO_TEST_CASE(message_gets_trace_header_and_two_messages_share_a_connection) {
  SnapshotHolder holder(MustLoad(""));
  Session s(&holder, nullptr);
  s.Connect("client.example", "127.0.0.1");
  for (const char* login : {"alice@example.org", ""}) {
    Macros m;
    m.auth_authen = login;
    BOOST_TEST((s.MailFrom("a@example.org", m).kind == Verdict::Kind::kContinue));
    BOOST_TEST((s.Rcpt("b@example.net").kind == Verdict::Kind::kContinue));
    s.Header("From", " a@example.org");
    s.Header("Subject", " hi");
    s.EndOfHeaders();
    s.Body("x\r\n", 3);
    EndOfMessage eom = s.EndOfMessageReached(Macros());
    BOOST_TEST((eom.verdict.kind == Verdict::Kind::kContinue));
    BOOST_REQUIRE(eom.edits.size() == 1u);
    BOOST_TEST(eom.edits[0].name == "X-Sendguard");
    std::string who = *login ? login : "127.0.0.1";
    BOOST_TEST(eom.edits[0].value.find(" " + who) != std::string::npos, eom.edits[0].value);
  }
}

BOOST_AUTO_TEST_CASE(abort_resets_and_out_of_order_events_tempfail) {
  SnapshotHolder holder(MustLoad(""));
  Session s(&holder, nullptr);
  s.Connect("", "127.0.0.1");
  BOOST_TEST((s.Rcpt("b@example.net").kind == Verdict::Kind::kTempfail));
  s.MailFrom("a@example.org", Macros());
  s.Abort();
  EndOfMessage eom = s.EndOfMessageReached(Macros());
  BOOST_TEST((eom.verdict.kind == Verdict::Kind::kTempfail));
  BOOST_TEST(eom.verdict.reply.code == "451");
}

BOOST_AUTO_TEST_CASE(live_sessions_are_counted) {
  SnapshotHolder holder(MustLoad(""));
  long before = Session::LiveCount();
  {
    Session a(&holder, nullptr), b(&holder, nullptr);
    BOOST_TEST(Session::LiveCount() == before + 2);
  }
  BOOST_TEST(Session::LiveCount() == before);
}

BOOST_AUTO_TEST_CASE(failure_action_follows_config) {
  auto tempfail = MustLoad("");
  Verdict v = FailureVerdict(tempfail->config, "test");
  BOOST_TEST((v.kind == Verdict::Kind::kTempfail));
  BOOST_TEST(v.reply.ToString().find("451 4.3.0") == 0);
  auto reject = MustLoad("[daemon]\nfailure_action = \"reject\"\n");
  BOOST_TEST((FailureVerdict(reject->config, "t").kind == Verdict::Kind::kReject));
  auto accept = MustLoad("[daemon]\nfailure_action = \"accept\"\n");
  BOOST_TEST((FailureVerdict(accept->config, "t").kind == Verdict::Kind::kAccept));
}

// A snapshot is built whole or not at all (the parent keeps the running one
// on failure: tests/e2e/test_process_model.py), and the error names file:line.
BOOST_AUTO_TEST_CASE(a_broken_config_builds_no_snapshot_and_names_file_and_line) {
  std::string path = WriteConfig("[identity]\nfold_case = false\n");
  BOOST_REQUIRE(LoadSnapshot(path).ok());
  std::ofstream(path) << "[identity]\nfold_case = maybe\n";
  auto broken = LoadSnapshot(path);
  BOOST_TEST(!broken.ok());
  BOOST_TEST(broken.status().message().find(path + ":2:") == 0, broken.status().message());
  std::ofstream(path) << "[identity]\nfold_case = true\n";
  auto fixed = LoadSnapshot(path);
  BOOST_REQUIRE(fixed.ok());
  BOOST_TEST((*fixed)->config.identity.fold_case);
}

BOOST_AUTO_TEST_CASE(sender_policy_refuses_foreign_and_missing_from) {
  SnapshotHolder holder(MustLoad(""));
  Session s(&holder, nullptr);
  s.Connect("client.example", "192.0.2.1");
  Macros m;
  m.auth_authen = "alice@example.org";
  s.MailFrom("<alice@example.org>", m);
  s.Rcpt("<b@example.net>");
  s.Header("From", " CEO <ceo@bank.example>");
  s.EndOfHeaders();
  EndOfMessage foreign = s.EndOfMessageReached(Macros());
  BOOST_TEST((foreign.verdict.kind == Verdict::Kind::kReject));
  BOOST_TEST(foreign.verdict.reply.ToString().find("550 5.7.1") == 0, foreign.verdict.reply.ToString());
  BOOST_TEST(foreign.verdict.reply.text.find("not authorised to send as") != std::string::npos);
  s.MailFrom("<alice@example.org>", m);
  s.Rcpt("<b@example.net>");
  EndOfMessage none = s.EndOfMessageReached(Macros());  // no headers, no end-of-headers event
  BOOST_TEST((none.verdict.kind == Verdict::Kind::kReject));
}

BOOST_AUTO_TEST_CASE(broken_quota_policy_builds_no_snapshot_and_names_file_and_line) {
  test::TempDir tmp;
  const std::string& dir = tmp.path();
  std::string conf = dir + "/sendguard.conf";
  std::ofstream(conf) << "[quota]\npolicy_file = \"quota.conf\"\n";
  std::ofstream(dir + "/quota.conf") << "class default { messages 5/1h }\n";
  auto first = LoadSnapshot(conf);
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  std::ofstream(dir + "/quota.conf") << "class default {\n  messages 5/1fortnight\n}\n";
  auto broken = LoadSnapshot(conf);
  BOOST_TEST(!broken.ok());
  BOOST_TEST(broken.status().message().find(dir + "/quota.conf:2:") != std::string::npos, broken.status().message());
}

namespace {
// One message through a session whose rules read the relay pseudo-headers.
EndOfMessage RelayScan(const std::string& client_name, const std::string& helo, const std::string& login,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string rules = Scratch().Write("relays.cf",
      "header UNTRUSTED_NO_RDNS X-Spam-Relays-Untrusted =~ /^\\[ ip=203\\.0\\.113\\.50 rdns= helo=pc by=smtp\\.example\\.org /\n"
      "score UNTRUSTED_NO_RDNS 20\n"
      "header TRUSTED_AUTH X-Spam-Relays-Trusted =~ /^\\[ ip=203\\.0\\.113\\.50 [^\\]]+ intl=1 id=4F1A2B3C auth=ESMTPSA /\n"
      "score TRUSTED_AUTH -30\n"
      "header TWO_UNTRUSTED X-Spam-Relays-Untrusted =~ /\\] \\[ /\n"
      "score TWO_UNTRUSTED -30\n");
  SnapshotHolder holder(MustLoad("[rules]\npaths = [\"" + rules + "\"]\n"));
  Session s(&holder, nullptr);
  s.Connect(client_name, "203.0.113.50");
  s.Helo(helo);
  Macros m;
  m.auth_authen = login;
  m.mta_name = "smtp.example.org";
  m.queue_id = "4F1A2B3C";
  if (!login.empty()) m.tls_version = "TLSv1.3";
  s.MailFrom("<alice@example.org>", m);
  s.Rcpt("<b@example.net>");
  for (const auto& [name, value] : headers) s.Header(name, value);
  s.EndOfHeaders();
  s.Body("x\r\n", 3);
  return s.EndOfMessageReached(m);
}
}  // namespace

// The first relay line is the handover the milter saw, as Postfix's
// Received header writes it; trust is SpamAssassin's default inference.
BOOST_AUTO_TEST_CASE(relay_rules_see_the_client_handover) {
  std::vector<std::pair<std::string, std::string>> headers = {{"From", " alice@example.org"}, {"Subject", " hi"}};
  EndOfMessage unauth = RelayScan("[203.0.113.50]", "pc", "", headers);
  BOOST_TEST((unauth.verdict.kind == Verdict::Kind::kReject));  // public, no rDNS, no auth: untrusted
  EndOfMessage auth = RelayScan("unknown", "laptop", "alice@example.org", headers);
  BOOST_TEST((auth.verdict.kind == Verdict::Kind::kContinue));  // authenticated: trusted and internal
  // An MTA that shows the milter its own Received header (Sendmail) gets no
  // second line for the same handover (two relays would score -30).
  headers.insert(headers.begin(), {"Received", " from pc (unknown [203.0.113.50]) by smtp.example.org (8.17.1/8.17.1) with ESMTP id 4F1A2B3C"});
  EndOfMessage shown = RelayScan("[203.0.113.50]", "pc", "", headers);
  BOOST_TEST((shown.verdict.kind == Verdict::Kind::kReject));
}

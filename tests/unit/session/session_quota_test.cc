// Session + quota: RCPT reservations, refusals with the quota reply, release
// of refused messages, quarantine classes. Uses the real embedded store.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <fstream>

#include "../runtime_bed.h"
#include "session/session.h"

using namespace sendguard;

namespace {

// A config dir with a quota policy and a fresh LMDB store; clock is manual.
struct QuotaFixture : test::RuntimeBed {
  QuotaFixture() {
    std::ofstream(dir + "/quota.conf") <<
        "class default { messages 2/1h; rcpt_per_msg 3; max_size 1KB }\n"
        "class held { messages 1/1h; action quarantine }\n"
        "users { bulk@example.org held }\n";
    std::ofstream(dir + "/sendguard.conf") <<
        "[daemon]\nstate_dir = \"" + dir + "\"\n[quota]\npolicy_file = \"quota.conf\"\n";
    Open();
  }

  // One whole message; returns the final verdict (or the RCPT refusal).
  EndOfMessage Send(const std::string& login, int rcpts, size_t body_bytes) {
    Session s(holder.get(), runtime.get());
    s.Connect("client", "192.0.2.1");
    Macros m;
    m.auth_authen = login;
    s.MailFrom(login, m);
    for (int i = 0; i < rcpts; ++i) {
      Verdict v = s.Rcpt("r" + std::to_string(i) + "@example.net");
      if (v.IsRefusal()) return EndOfMessage{v, {}, ""};
    }
    s.Header("From", " " + login);
    s.EndOfHeaders();
    std::string body(body_bytes, 'x');
    s.Body(body.data(), body.size());
    return s.EndOfMessageReached(Macros());
  }

};

}  // namespace

BOOST_AUTO_TEST_CASE(window_limit_refuses_at_rcpt_with_quota_reply) {
  QuotaFixture f;
  BOOST_TEST(!f.Send("alice@example.org", 1, 10).verdict.IsRefusal());
  BOOST_TEST(!f.Send("alice@example.org", 1, 10).verdict.IsRefusal());
  EndOfMessage third = f.Send("alice@example.org", 1, 10);
  BOOST_TEST((third.verdict.kind == Verdict::Kind::kTempfail));
  BOOST_TEST(third.verdict.reply.ToString().find("451 4.7.1 alice@example.org: quota 2 messages/1h reached") == 0,
             third.verdict.reply.ToString());
  BOOST_TEST(!f.Send("bob@example.org", 1, 10).verdict.IsRefusal());  // others unaffected
  f.clock.AdvanceSeconds(3600 + 60);
  BOOST_TEST(!f.Send("alice@example.org", 1, 10).verdict.IsRefusal());
}

BOOST_AUTO_TEST_CASE(refused_message_releases_its_reservation) {
  QuotaFixture f;
  EndOfMessage big = f.Send("carol@example.org", 1, 5000);  // over max_size 1KB
  BOOST_TEST((big.verdict.kind == Verdict::Kind::kReject));
  BOOST_TEST(big.verdict.reply.code == "552");
  BOOST_TEST(!f.Send("carol@example.org", 1, 10).verdict.IsRefusal());
  BOOST_TEST(!f.Send("carol@example.org", 1, 10).verdict.IsRefusal());  // still 2 allowed
  BOOST_TEST(f.Send("carol@example.org", 1, 10).verdict.IsRefusal());
}

BOOST_AUTO_TEST_CASE(recipients_per_message_gets_452) {
  QuotaFixture f;
  EndOfMessage many = f.Send("dave@example.org", 4, 10);
  BOOST_TEST((many.verdict.kind == Verdict::Kind::kTempfail));
  BOOST_TEST(many.verdict.reply.ToString().find("452 4.5.3") == 0, many.verdict.reply.ToString());
}

BOOST_AUTO_TEST_CASE(quarantine_class_holds_instead_of_refusing) {
  QuotaFixture f;
  EndOfMessage first = f.Send("bulk@example.org", 1, 10);
  BOOST_TEST(first.quarantine_reason.empty());
  EndOfMessage over = f.Send("bulk@example.org", 1, 10);
  BOOST_TEST(!over.verdict.IsRefusal());
  BOOST_TEST(!over.quarantine_reason.empty());
}

BOOST_AUTO_TEST_CASE(untrusted_clients_are_not_counted) {
  QuotaFixture f;
  for (int i = 0; i < 4; ++i) {
    Session s(f.holder.get(), f.runtime.get());
    s.Connect("outside", "198.51.100.1");
    s.MailFrom("x@example.com", Macros());
    BOOST_TEST(!s.Rcpt("r@example.org").IsRefusal());
    BOOST_TEST(!s.EndOfMessageReached(Macros()).verdict.IsRefusal());
  }
}

// [policy] with_milter: a message the policy service counted (it marked the
// SMTP connection) is not counted again by the milter; one it never saw is.
BOOST_AUTO_TEST_CASE(milter_leaves_counting_to_the_policy_service_when_tied) {
  QuotaFixture f;
  std::ofstream(f.dir + "/sendguard.conf", std::ios::app) << "[policy]\nwith_milter = true\n";
  auto snap = LoadSnapshot(f.dir + "/sendguard.conf");
  BOOST_REQUIRE_MESSAGE(snap.ok(), snap.status().ToString());
  f.holder->Replace(*snap);
  Macros m;
  m.auth_authen = "tied@example.org";
  m.client_port = "40001";
  auto milter_message = [&](const std::string& port) {
    Session milter(f.holder.get(), f.runtime.get());
    Macros mm = m;
    mm.client_port = port;
    milter.Connect("client", "192.0.2.1");
    milter.MailFrom("<tied@example.org>", mm);
    BOOST_TEST(!milter.Rcpt("<r@example.net>").IsRefusal());
    milter.Header("From", " tied@example.org");
    milter.EndOfHeaders();
    return milter.EndOfMessageReached(mm);
  };
  for (int i = 0; i < 2; ++i) {  // the policy service counts two messages...
    Session policy(f.holder.get(), f.runtime.get(), SessionRole::kPolicy);
    policy.Connect("client", "192.0.2.1");
    policy.MailFrom("<tied@example.org>", m);
    BOOST_TEST(!policy.Rcpt("<r@example.net>").IsRefusal());
    BOOST_TEST(!policy.EndOfEnvelope(m, 1, 100).verdict.IsRefusal());
    BOOST_TEST(!milter_message("40001").verdict.IsRefusal());  // ...the milter counts neither
  }
  // The third message on another connection never went through the policy
  // service: the milter counts it, and the limit (2/1h) refuses it.
  Session milter(f.holder.get(), f.runtime.get());
  Macros other = m;
  other.client_port = "40002";
  milter.Connect("client", "192.0.2.1");
  milter.MailFrom("<tied@example.org>", other);
  BOOST_TEST(milter.Rcpt("<r@example.net>").reply.ToString().find("quota 2 messages/1h reached") != std::string::npos);
}

// Tests for policyd/responder.h with a real embedded store and a manual
// clock: RCPT reserves at exactly the limit with the milter's reply, the
// end of message commits the real amounts, unfinished messages are released,
// quarantine classes answer HOLD, suspended senders are refused with the
// abuse policy's text, and non-counting stages answer DUNNO.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "../runtime_bed.h"
#include "abuse/signals.h"
#include "policyd/responder.h"

using namespace sendguard;
using namespace sendguard::policyd;

namespace {

struct Fixture : test::RuntimeBed {
  Fixture() {
    std::ofstream(dir + "/quota.conf") << "class default { messages 3/1h; recipients 4/1h; rcpt_per_msg 3 }\n"
                                          "class held { messages 1/1h; action quarantine }\n"
                                          "users { bulk@example.org held }\n";
    std::ofstream(dir + "/abuse.conf") << "suspend_text 550 5.7.1 suspended: call the desk\n";
    std::ofstream(dir + "/sendguard.conf")
        << "[daemon]\nstate_dir = \"" + dir + "\"\n[quota]\npolicy_file = \"quota.conf\"\n"
        << "[abuse]\npolicy_file = \"abuse.conf\"\n";
    Open();
  }

  PolicyRequest Req(const std::string& state, const std::string& user, const std::string& instance,
                    const std::string& rcpt = "r@example.net") {
    PolicyRequest r;
    r.attributes = {{"request", "smtpd_access_policy"}, {"protocol_state", state}, {"sasl_username", user},
                    {"sender", user}, {"recipient", rcpt}, {"instance", instance},
                    {"client_address", "192.0.2.1"}, {"client_port", "4000"}, {"unknown_future", "x"}};
    return r;
  }

  PolicyRequest End(const std::string& user, const std::string& instance, int rcpts, int size) {
    PolicyRequest r = Req("END-OF-MESSAGE", user, instance, "");
    r.attributes["recipient_count"] = std::to_string(rcpts);
    r.attributes["size"] = std::to_string(size);
    r.attributes["queue_id"] = "4QABC" + instance;
    return r;
  }

  int64_t Used(const std::string& user, quota::Metric metric, int64_t limit) {
    return RuntimeBed::Used("u:" + user, metric, limit);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(policyd_responder, Fixture)

BOOST_AUTO_TEST_CASE(rcpt_window_exactly_at_the_limit_with_the_milter_reply) {
  Responder p(holder.get(), runtime.get());
  for (int i = 0; i < 3; ++i) BOOST_TEST(p.Answer(Req("RCPT", "alice@example.org", "m1")) == "DUNNO");
  BOOST_TEST(p.Answer(End("alice@example.org", "m1", 3, 500)) == "DUNNO");
  BOOST_TEST(p.Answer(Req("RCPT", "alice@example.org", "m2")) == "DUNNO");
  BOOST_TEST(p.Answer(Req("RCPT", "alice@example.org", "m2")) ==
             "451 4.7.1 alice@example.org: quota 4 recipients/1h reached, retry after 23:14 UTC");
  BOOST_TEST(p.Answer(End("alice@example.org", "m2", 1, 500)) == "DUNNO");
  BOOST_TEST(Used("alice@example.org", quota::Metric::kRecipients, 4) == 4);
  BOOST_TEST(Used("alice@example.org", quota::Metric::kMessages, 3) == 2);
  BOOST_TEST(Used("alice@example.org", quota::Metric::kBytes, 100000) == 1000);
}

BOOST_AUTO_TEST_CASE(end_of_message_counts_what_postfix_accepted) {
  Responder p(holder.get(), runtime.get());
  for (int i = 0; i < 3; ++i) p.Answer(Req("RCPT", "bob@example.org", "m1"));
  BOOST_TEST(p.Answer(End("bob@example.org", "m1", 2, 100)) == "DUNNO");  // smtpd refused one after us
  BOOST_TEST(Used("bob@example.org", quota::Metric::kRecipients, 4) == 2);
  // An END-OF-MESSAGE whose RCPTs went to another connection reserves now.
  Responder other(holder.get(), runtime.get());
  BOOST_TEST(other.Answer(End("bob@example.org", "m2", 3, 100)).find("451 4.7.1 bob@example.org: quota 4 recipients/1h") == 0);
  BOOST_TEST(other.Answer(End("bob@example.org", "m3", 2, 100)) == "DUNNO");
  BOOST_TEST(Used("bob@example.org", quota::Metric::kRecipients, 4) == 4);
}

BOOST_AUTO_TEST_CASE(unfinished_messages_are_released) {
  {
    Responder p(holder.get(), runtime.get());
    p.Answer(Req("RCPT", "carol@example.org", "m1"));
    p.Answer(Req("RCPT", "carol@example.org", "m1"));
    BOOST_TEST(Used("carol@example.org", quota::Metric::kRecipients, 4) == 2);  // pending
    p.Answer(Req("RCPT", "carol@example.org", "m2"));  // m1's DATA failed: a new message
    BOOST_TEST(Used("carol@example.org", quota::Metric::kRecipients, 4) == 1);
  }  // the connection closed mid-message
  BOOST_TEST(Used("carol@example.org", quota::Metric::kRecipients, 4) == 0);
  BOOST_TEST(Used("carol@example.org", quota::Metric::kMessages, 3) == 0);
}

BOOST_AUTO_TEST_CASE(per_message_limit_and_quarantine_class) {
  Responder p(holder.get(), runtime.get());
  for (int i = 0; i < 3; ++i) p.Answer(Req("RCPT", "dave@example.org", "m1"));
  BOOST_TEST(p.Answer(Req("RCPT", "dave@example.org", "m1", "x@y")).find("452 4.5.3") == 0);
  BOOST_TEST(p.Answer(Req("RCPT", "bulk@example.org", "h1")) == "DUNNO");
  BOOST_TEST(p.Answer(End("bulk@example.org", "h1", 1, 10)) == "DUNNO");
  BOOST_TEST(p.Answer(Req("RCPT", "bulk@example.org", "h2")).find("HOLD sendguard: bulk@example.org: quota 1 messages/1h") == 0);
  BOOST_TEST(p.Answer(Req("RCPT", "bulk@example.org", "h2")) == "DUNNO");  // said once per message
  BOOST_TEST(p.Answer(End("bulk@example.org", "h2", 2, 10)) == "DUNNO");
  BOOST_TEST(Used("bulk@example.org", quota::Metric::kMessages, 1) == 1);  // held mail is not counted
}

BOOST_AUTO_TEST_CASE(suspended_sender_refused_with_the_abuse_policy_text) {
  abuse::Record r;
  r.state.level = abuse::Level::kSuspended;
  r.state.until = 0;
  BOOST_REQUIRE(runtime->quota_store->UpdateRecord("a:eve@example.org", [&](const std::string&) {
    return abuse::Encode(r);
  }).ok());
  Responder p(holder.get(), runtime.get());
  BOOST_TEST(p.Answer(Req("MAIL", "eve@example.org", "s1")) == "550 5.7.1 suspended: call the desk");
  BOOST_TEST(p.Answer(Req("RCPT", "eve@example.org", "s1")) == "550 5.7.1 suspended: call the desk");
  BOOST_TEST(p.Answer(Req("RCPT", "eve@example.org", "s2")) == "550 5.7.1 suspended: call the desk");
}

BOOST_AUTO_TEST_CASE(other_stages_and_requests_answer_dunno) {
  Responder p(holder.get(), runtime.get());
  for (const char* state : {"CONNECT", "EHLO", "HELO", "DATA", "VRFY", "ETRN", ""}) {
    BOOST_TEST(p.Answer(Req(state, "frank@example.org", "o1")) == "DUNNO", state);
  }
  PolicyRequest odd = Req("RCPT", "frank@example.org", "o1");
  odd.attributes["request"] = "something_else";
  BOOST_TEST(p.Answer(odd) == "DUNNO");
  BOOST_TEST(Used("frank@example.org", quota::Metric::kRecipients, 4) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

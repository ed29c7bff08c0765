// Tests for abuse/: signals, the policy file, the ladder. Time is passed in.
#include <boost/test/unit_test.hpp>

#include "abuse/abuse_policy.h"
#include "abuse/audit.h"
#include "abuse/ladder.h"
#include "abuse/log_learner.h"
#include "abuse/signals.h"

using namespace sendguard;
using namespace sendguard::abuse;

namespace {

constexpr int64_t kT0 = 1700000000 - 1700000000 % 3600;  // an hour boundary

MessageEvent Msg(int64_t now, std::vector<std::string> rcpts, std::string ip = "192.0.2.1") {
  MessageEvent e;
  e.now_s = now;
  e.recipients = std::move(rcpts);
  e.client_ip = std::move(ip);
  e.accepted = true;
  return e;
}

std::shared_ptr<const AbusePolicy> Policy(const std::string& text) {
  auto p = AbusePolicy::Parse(text, "abuse.conf");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return *p;
}

const char* kPolicy =
    "condition burst    messages >= 30 and >= 10x baseline -> suspend\n"
    "condition spread   distinct_domains >= 20 -> hold\n"
    "condition ips      client_addresses >= 4 -> escalate\n"
    "condition rejects  content_rejected >= 3 -> notify\n"
    "duration suspend 2h\n"
    "manual_release_after 2\n"
    "exempt newsletter@example.org\n"
    "exempt_class bulk\n"
    "default_baseline messages 5 recipients 5\n";

}  // namespace

namespace sendguard::abuse {
std::ostream& operator<<(std::ostream& o, Level l) { return o << LevelName(l); }
}  // namespace sendguard::abuse

BOOST_AUTO_TEST_CASE(signals_count_the_last_hour_only) {
  Record r;
  Observe(&r, Msg(kT0, {"a@x.example", "b@y.example"}));
  Observe(&r, Msg(kT0 + 600, {"a@x.example"}, "192.0.2.2"));
  Signals s = Measure(r, kT0 + 700);
  BOOST_TEST(s.messages == 2);
  BOOST_TEST(s.recipients == 3);
  BOOST_TEST(s.distinct_recipients == 2);
  BOOST_TEST(s.distinct_domains == 2);
  BOOST_TEST(s.client_addresses == 2);
  Signals later = Measure(r, kT0 + 3600 + 301);
  BOOST_TEST(later.messages == 1);  // the first bucket left the window
  BOOST_TEST(Measure(r, kT0 + 2 * 3600).messages == 0);
}

BOOST_AUTO_TEST_CASE(distinct_sets_are_capped) {
  Record r;
  for (size_t i = 0; i < kMaxRecipients + 100; ++i) {
    Observe(&r, Msg(kT0 + 1, {"u" + std::to_string(i) + "@d" + std::to_string(i) + ".example"}));
  }
  Signals s = Measure(r, kT0 + 2);
  BOOST_TEST(s.distinct_recipients == static_cast<int64_t>(kMaxRecipients));
  BOOST_TEST(s.distinct_domains == static_cast<int64_t>(kMaxDomains));
  BOOST_TEST(r.recipients.size() == kMaxRecipients);
  BOOST_TEST(Encode(r).size() < 64 * 1024);
}

BOOST_AUTO_TEST_CASE(baseline_learns_active_hours_but_not_restricted_ones) {
  Record r;
  for (int h = 0; h < 3; ++h) {
    for (int i = 0; i < 4; ++i) Observe(&r, Msg(kT0 + h * 3600 + i, {"a@x.example"}));
  }
  Observe(&r, Msg(kT0 + 3 * 3600, {"a@x.example"}));  // closes hour 2
  BOOST_TEST(r.baseline.active_hours == 3);
  BOOST_TEST(r.baseline.messages_per_hour == 4.0, boost::test_tools::tolerance(0.05));
  r.state.level = Level::kSuspended;
  for (int i = 0; i < 500; ++i) Observe(&r, Msg(kT0 + 3 * 3600 + 10, {"a@x.example"}));
  Observe(&r, Msg(kT0 + 4 * 3600, {"a@x.example"}));
  BOOST_TEST(r.baseline.active_hours == 3);  // the restricted hour taught nothing
}

BOOST_AUTO_TEST_CASE(record_round_trips_and_garbage_is_an_error) {
  Record r;
  Observe(&r, Msg(kT0, {"a b@x.example"}));
  r.state = State{Level::kHeld, kT0 + 60, 2, kT0, "spread out", "why: 100%"};
  AddHistory(&r, {kT0, "hold", "spread", "auto", "distinct_domains=30\nnext"});
  r.held = {"4Bq1Xy"};
  Result<Record> back = Decode(Encode(r));
  BOOST_REQUIRE(back.ok());
  BOOST_TEST(Encode(*back) == Encode(r));
  BOOST_TEST(back->state.reason == "why: 100%");
  BOOST_TEST(back->history[0].detail == "distinct_domains=30\nnext");
  BOOST_TEST(!Decode("").ok());
  BOOST_TEST(!Decode("sgabuse 1\nb 1 2\n").ok());
  BOOST_TEST(!Decode("sgabuse 1\nstate flying 0 0 0 = =\n").ok());
  BOOST_TEST(!Decode("sgabuse 1\nev =%4\n").ok());
}

BOOST_AUTO_TEST_CASE(policy_errors_name_file_and_line) {
  for (const char* bad : {"condition x messages > 3 -> suspend\n", "\ncondition x nosuch >= 3 -> suspend\n",
                          "condition x messages >= 3 -> explode\n", "duration suspend forever\n",
                          "suspend_text 450 4.7.1 not permanent\n", "frobnicate\n",
                          "condition x messages >= 3 -> notify\ncondition x messages >= 4 -> notify\n",
                          "condition x messages >= 3 and >= tenx baseline -> hold\n"}) {
    auto p = AbusePolicy::Parse(bad, "abuse.conf");
    BOOST_TEST(!p.ok(), bad);
    if (!p.ok()) BOOST_TEST(p.status().message().find("abuse.conf:") == 0, p.status().message());
  }
  auto p = Policy(std::string(kPolicy) + "suspend_text 554 5.7.1 stop, write to abuse@example.org\n");
  BOOST_TEST(p->conditions.size() == 4u);
  BOOST_TEST(p->conditions[0].baseline_factor == 10.0);
  BOOST_TEST(p->suspend_reply.ToString() == "554 5.7.1 stop, write to abuse@example.org");
  BOOST_TEST(p->durations.at(Level::kSuspended) == 7200);
  BOOST_TEST(p->Exempt("Newsletter@Example.org", "default"));
  BOOST_TEST(p->Exempt("x@example.org", "bulk"));
  BOOST_TEST(!p->Exempt("x@example.org", "default"));
}

BOOST_AUTO_TEST_CASE(burst_suspends_for_the_duration_then_lapses) {
  auto p = Policy(kPolicy);
  Record r;
  Change c;
  int sent = 0;
  while (EffectiveLevel(r, kT0) == Level::kNone && sent < 100) {
    Observe(&r, Msg(kT0, {"a@x.example"}));
    c = Evaluate(&r, *p, kT0, false);
    ++sent;
  }
  BOOST_TEST(sent == 50);  // >= 30 and >= 10 x the default baseline of 5
  BOOST_TEST(c.level_changed);
  BOOST_TEST(c.notify);
  BOOST_TEST(c.condition == "burst");
  BOOST_TEST(c.until == kT0 + 7200);
  BOOST_TEST(EffectiveLevel(r, kT0 + 7199) == Level::kSuspended);
  BOOST_TEST(EffectiveLevel(r, kT0 + 7200) == Level::kNone);
  Change lapse = Evaluate(&r, *p, kT0 + 7200, false);
  BOOST_TEST(lapse.what == "expire");
  BOOST_TEST(r.state.level == Level::kNone);
  BOOST_TEST(r.history.size() == 2u);
}

BOOST_AUTO_TEST_CASE(learned_baseline_raises_the_bar) {
  auto p = Policy(kPolicy);
  Record r;
  SeedBaseline(&r, {40, 40, 300, 0, 0, 0});  // a busy account: 40 messages an hour
  for (int i = 0; i < 300; ++i) Observe(&r, Msg(kT0 + 10, {"a@x.example"}));
  BOOST_TEST(Evaluate(&r, *p, kT0 + 10, false).to == Level::kNone);
  for (int i = 0; i < 100; ++i) Observe(&r, Msg(kT0 + 20, {"a@x.example"}));
  BOOST_TEST(Evaluate(&r, *p, kT0 + 20, false).to == Level::kSuspended);  // 400 >= 10 x 40
}

BOOST_AUTO_TEST_CASE(escalation_and_repeat_offenders_need_a_manual_release) {
  auto p = Policy(kPolicy);
  Record r;
  for (int i = 0; i < 4; ++i) Observe(&r, Msg(kT0, {"a@x.example"}, "198.51.100." + std::to_string(i)));
  Change first = Evaluate(&r, *p, kT0, false);
  BOOST_TEST(first.condition == "ips");
  BOOST_TEST((first.to == Level::kThrottled));  // escalate from none
  Change again = Evaluate(&r, *p, kT0 + 1, false);
  BOOST_TEST((again.to == Level::kHeld));  // still holds: one rung up
  BOOST_TEST(again.until == 0);             // second offence: manual_release_after 2
  BOOST_TEST(EffectiveLevel(r, kT0 + 30 * 86400) == Level::kHeld);
  Change released = Release(&r, kT0 + 10, "admin");
  BOOST_TEST(released.level_changed);
  BOOST_TEST(r.state.level == Level::kNone);
  BOOST_TEST(r.history.back().by == "admin");
}

BOOST_AUTO_TEST_CASE(exempt_identities_are_only_notified_once_per_interval) {
  auto p = Policy(kPolicy);
  Record r;
  for (int i = 0; i < 200; ++i) Observe(&r, Msg(kT0, {"a@x.example"}));
  Change c = Evaluate(&r, *p, kT0, true);
  BOOST_TEST(r.state.level == Level::kNone);
  BOOST_TEST(c.notify);
  BOOST_TEST(c.what == "notify");
  BOOST_TEST(!Evaluate(&r, *p, kT0 + 60, true).notify);
  BOOST_TEST(Evaluate(&r, *p, kT0 + 3600, true).notify == false);  // the burst left the window
}

BOOST_AUTO_TEST_CASE(manual_suspension_without_expiry) {
  Record r;
  Change c = Suspend(&r, Level::kSuspended, kT0, 0, "phishing reported", "root");
  BOOST_TEST(c.level_changed);
  BOOST_TEST(EffectiveLevel(r, kT0 + 365 * 86400) == Level::kSuspended);
  BOOST_TEST(r.history.back().detail == "phishing reported");
}

BOOST_AUTO_TEST_CASE(postfix_logs_give_day_one_baselines) {
  PostfixLogLearner learner([](const std::string& ip) { return ip.rfind("10.", 0) == 0; });
  int qid = 0;
  auto message = [&](const std::string& when, const std::string& client, const std::string& login,
                     std::vector<std::string> rcpts) {
    std::string q = "4Q" + std::to_string(++qid) + "AB";
    std::string sasl = login.empty() ? "" : ", sasl_method=PLAIN, sasl_username=" + login;
    learner.AddLine(when + " relay postfix/submission/smtpd[11]: " + q + ": client=host[" + client + "]" + sasl);
    learner.AddLine(when + " relay postfix/cleanup[12]: " + q + ": message-id=<x@y>");
    learner.AddLine(when + " relay postfix/qmgr[13]: " + q + ": from=<" + login + ">, size=900, nrcpt=" +
                    std::to_string(rcpts.size()) + " (queue active)");
    for (const std::string& r : rcpts) {
      learner.AddLine(when + " relay postfix/smtp[14]: " + q + ": to=<" + r + ">, relay=mx[192.0.2.1]:25, status=sent (ok)");
    }
    learner.AddLine(when + " relay postfix/qmgr[13]: " + q + ": removed");
  };
  for (int h = 8; h < 18; ++h) {  // alice: 3 messages an hour to 2 people, 10 hours
    std::string when = "Dec  3 " + std::string(h < 10 ? "0" : "") + std::to_string(h) + ":15:00";
    for (int i = 0; i < 3; ++i) message(when, "192.0.2.7", "alice@example.org", {"bob@x.example", "carol@y.example"});
  }
  message("2026-12-03T09:00:01.5+00:00", "10.1.2.3", "", {"ops@example.org"});  // a trusted script
  message("Dec  3 09:00:02", "203.0.113.9", "", {"spam@x.example"});            // untrusted: not anyone's
  learner.AddLine("garbage line that is not postfix");
  std::vector<LearnedBaseline> b = learner.Baselines();
  BOOST_REQUIRE(b.size() == 2u);
  BOOST_TEST(b[0].identity == "10.1.2.3");
  BOOST_TEST(b[1].identity == "alice@example.org");
  BOOST_TEST(b[1].active_hours == 10);
  BOOST_TEST(b[1].messages == 30);
  BOOST_TEST(b[1].messages_per_hour == 3.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(b[1].recipients_per_hour == 2.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(learner.messages_seen() == 31);
}

BOOST_AUTO_TEST_CASE(class_blocks_replace_and_add_conditions) {
  auto p = Policy(std::string(kPolicy) +
                  "class transactional {\n"
                  "    condition burst    messages >= 5000 and >= 10x baseline -> suspend\n"
                  "    condition flood    recipients >= 3000 -> hold\n"
                  "}\n");
  auto names = [&](const std::string& cls) {
    std::string out;
    for (const Condition* c : p->ConditionsFor(cls)) out += c->name + "/" + std::to_string(c->at_least) + " ";
    return out;
  };
  BOOST_TEST(names("default") == "burst/30 spread/20 ips/4 rejects/3 ");
  BOOST_TEST(names("transactional") == "burst/5000 spread/20 ips/4 rejects/3 flood/3000 ");
  Record busy, plain;
  for (int i = 0; i < 200; ++i) {
    Observe(&busy, Msg(kT0, {"a@x.example"}));
    Observe(&plain, Msg(kT0, {"a@x.example"}));
  }
  BOOST_TEST(Evaluate(&busy, *p, kT0, false, "transactional").to == Level::kNone);
  BOOST_TEST(Evaluate(&plain, *p, kT0, false, "default").to == Level::kSuspended);
  for (const char* bad : {"class x {\ncondition a messages >= 1 -> hold\n", "class x {\nduration hold 1h\n}\n",
                          "class {\n}\n"}) {
    auto r = AbusePolicy::Parse(bad, "abuse.conf");
    BOOST_TEST(!r.ok(), bad);
    if (!r.ok()) BOOST_TEST(r.status().message().find("abuse.conf:") == 0, r.status().message());
  }
}

// The last day's volume, and the daily baseline learned over active days:
// the plain mean of the first days, days under restriction left out.
BOOST_AUTO_TEST_CASE(signals_daily_volume_and_daily_baseline) {
  constexpr int64_t kDay0 = kT0 - kT0 % kDaySeconds;
  Record r;
  for (int day = 0; day < 3; ++day) {
    for (int i = 0; i < 10 * (day + 1); ++i) Observe(&r, Msg(kDay0 + day * kDaySeconds + 3600 + i * 60, {"a@x.example"}));
  }
  Signals s = Measure(r, kDay0 + 2 * kDaySeconds + 7200);
  BOOST_TEST(s.messages_24h == 30);  // today's 30; yesterday's ended more than a day before
  BOOST_TEST(s.recipients_24h == 30);
  BOOST_TEST(s.baseline_days == 2);  // days 0 and 1 are folded; day 2 is still counting
  BOOST_TEST(s.baseline_day_messages == 15.0);  // mean of 10 and 20
  Signals next = Measure(r, kDay0 + 3 * kDaySeconds + 3600 + 30 * 60);
  BOOST_TEST(next.messages_24h == 0);  // nothing in the last 24 hours
  r.state.level = Level::kSuspended;
  Observe(&r, Msg(kDay0 + 3 * kDaySeconds + 100, {"a@x.example"}));  // folds day 2 (30), starts day 3 restricted
  r.state.level = Level::kNone;
  Observe(&r, Msg(kDay0 + 4 * kDaySeconds + 100, {"a@x.example"}));  // day 3 was restricted: not learned
  BOOST_TEST(r.baseline.active_days == 3);
  BOOST_TEST(r.baseline.messages_per_day == 20.0);
  Record back = *Decode(Encode(r));
  BOOST_TEST(back.baseline.active_days == 3);
  BOOST_TEST(back.baseline.messages_per_day == 20.0);
  BOOST_TEST(Measure(back, kDay0 + 4 * kDaySeconds + 200).messages_24h == Measure(r, kDay0 + 4 * kDaySeconds + 200).messages_24h);
}

// A low-and-slow sender stays under every hourly condition but its day is
// far above its daily baseline; a new account is judged by the default.
BOOST_AUTO_TEST_CASE(ladder_daily_condition_against_the_daily_baseline) {
  auto p = Policy(
      "condition slow messages_24h >= 100 and >= 5x baseline -> hold\n"
      "default_day_baseline messages 40 recipients 40\n");
  Record learned;
  SeedBaseline(&learned, {2, 2, 200, 15, 15, 20});  // 15 a day over 20 days
  Record fresh;
  Change c1, c2;
  constexpr int64_t kStart = kT0 - kT0 % kDaySeconds + 3600;  // within one UTC day
  for (int i = 0; i < 120; ++i) {  // 120 over 20 hours: 6 an hour
    int64_t now = kStart + i * 600;
    Observe(&learned, Msg(now, {"v" + std::to_string(i) + "@x.example"}));
    Change c = Evaluate(&learned, *p, now, false, "");
    if (c.level_changed && !c1.level_changed) c1 = c;
    Observe(&fresh, Msg(now, {"v" + std::to_string(i) + "@x.example"}));
    Change f = Evaluate(&fresh, *p, now, false, "");
    if (f.level_changed && !c2.level_changed) c2 = f;
  }
  BOOST_TEST(c1.level_changed);
  BOOST_TEST(c1.condition == "slow");
  BOOST_TEST(c1.to == Level::kHeld);
  BOOST_TEST(!c2.level_changed);  // 120 < 5 x the default 40 a day
  BOOST_TEST(AbusePolicy::Parse("default_day_baseline messages x recipients 1\n", "a.conf").status().ToString().find("a.conf:1") != std::string::npos);
}

// The content rule that hit an identity's mail most within the hour, by name,
// and a condition on its count.
BOOST_AUTO_TEST_CASE(signals_top_rule_and_its_condition) {
  auto p = Policy("condition phish top_rule_hits >= 3 -> suspend\n");
  Record r;
  auto hit = [](int64_t now, const std::string& rule, ContentOutcome o) {
    MessageEvent e = Msg(now, {"a@x.example"});
    e.top_rule = rule;
    e.content = o;
    return e;
  };
  Observe(&r, hit(kT0, "URI_PHISH", ContentOutcome::kTagged));
  Observe(&r, hit(kT0 + 10, "MONEY_BODY", ContentOutcome::kRejected));
  Observe(&r, hit(kT0 + 20, "URI_PHISH", ContentOutcome::kRejected));
  Observe(&r, hit(kT0 + 30, "URI_PHISH", ContentOutcome::kClean));  // clean mail names no rule
  Signals s = Measure(r, kT0 + 40);
  BOOST_TEST(s.top_rule == "URI_PHISH");
  BOOST_TEST(s.top_rule_hits == 2);
  BOOST_TEST(SignalsText(s).find("top_rule=URI_PHISH") != std::string::npos);
  Observe(&r, hit(kT0 + 50, "URI_PHISH", ContentOutcome::kQuarantined));
  Change c = Evaluate(&r, *p, kT0 + 50, false, "");
  BOOST_TEST(c.to == Level::kSuspended);
  BOOST_TEST(Decode(Encode(r))->rules.size() == 2u);
  BOOST_TEST(Measure(r, kT0 + 3600 + 60).top_rule.empty());  // out of the window
}

namespace {

Decision SomeDecision(int64_t at, const std::string& queue_id) {
  Decision d;
  d.at = at;
  d.queue_id = queue_id;
  d.from = "dave@example.org";
  d.recipient_count = 10;
  for (int i = 0; i < 10; ++i) d.recipients.push_back("friend" + std::to_string(i) + "@example.net");
  d.action = "quarantine";
  d.checks = "quota=ok sender=ok content=clean spf=pass dkim=off abuse=hold";
  d.score = 2.5;
  d.rules = {"A", "B", "C", "D", "E", "F", "G"};
  d.hold_reason = "sendguard: account held for review (abuse: fanout)";
  d.reply = std::string(500, 'x') + " with spaces\nand a newline";
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(decisions_keep_the_newest_twenty_with_bounded_fields) {
  std::vector<std::string> encoded;
  for (int i = 0; i < 25; ++i) AddDecision(&encoded, SomeDecision(kT0 + i, "Q" + std::to_string(i)));
  BOOST_TEST(encoded.size() == kMaxDecisions);
  std::vector<Decision> list = DecodeDecisions(encoded);
  BOOST_REQUIRE(list.size() == kMaxDecisions);
  BOOST_TEST(list.front().queue_id == "Q5");
  BOOST_TEST(list.back().queue_id == "Q24");
  BOOST_TEST(list.back().recipients.size() == kMaxDecisionRecipients);
  BOOST_TEST(list.back().recipient_count == 10);  // the count stays exact
  BOOST_TEST(list.back().rules.size() == kMaxDecisionRules);
  BOOST_TEST(list.back().reply.size() == kMaxDecisionText);
}

BOOST_AUTO_TEST_CASE(decisions_round_trip_in_the_record_and_garbage_is_an_error) {
  Record r;
  MessageEvent e = Msg(kT0, {"a@example.net"});
  e.decision = SomeDecision(kT0, "4ABCDEF");
  e.decision.reply = "550 5.7.1 refused as spam (e2e)";
  Observe(&r, e);
  Observe(&r, Msg(kT0 + 1, {"b@example.net"}));  // no decision (no DATA): none kept
  BOOST_REQUIRE(r.decisions.size() == 1u);
  Result<Record> back = Decode(Encode(r));
  BOOST_REQUIRE(back.ok());
  std::vector<Decision> decoded = DecodeDecisions(back->decisions);
  BOOST_REQUIRE(decoded.size() == 1u);
  const Decision& d = decoded[0];
  BOOST_TEST(d.at == kT0);
  BOOST_TEST(d.queue_id == "4ABCDEF");
  BOOST_TEST(d.recipients == std::vector<std::string>({"friend0@example.net", "friend1@example.net", "friend2@example.net"}));
  BOOST_TEST(d.rules == std::vector<std::string>({"A", "B", "C", "D", "E"}));
  BOOST_TEST(d.score == 2.5);
  BOOST_TEST(d.reply == "550 5.7.1 refused as spam (e2e)");
  BOOST_TEST(d.hold_reason == "sendguard: account held for review (abuse: fanout)");
  BOOST_TEST(Encode(*back) == Encode(r));
  // A decision line is carried as it is and skipped by its readers when
  // unreadable: the record (the abuse state) stays usable.
  Result<Record> odd = Decode("sgabuse 1\ndec 1 =Q =f 1 = =accept = 0\ndec x =Q =f 1 = =accept = 0.000 = = =\n"
                              "dec 1 =Q =f -1 = =accept = 0.000 = = =\ndec 1 =Q =f 1 = =accept = 0.000 = = =\n");
  BOOST_REQUIRE(odd.ok());
  BOOST_TEST(odd->decisions.size() == 4u);
  BOOST_TEST(DecodeDecisions(odd->decisions).size() == 1u);
}

BOOST_AUTO_TEST_CASE(take_held_removes_one_queue_id) {
  Record r;
  r.held = {"AAAAAA", "BBBBBB"};
  BOOST_TEST(TakeHeld(&r, "AAAAAA"));
  BOOST_TEST(!TakeHeld(&r, "AAAAAA"));
  BOOST_TEST(r.held == std::vector<std::string>({"BBBBBB"}));
}

BOOST_AUTO_TEST_CASE(audit_entry_of_a_manual_suspension_is_one_json_line) {
  Record r;
  Change c = Suspend(&r, Level::kSuspended, kT0, kT0 + 3600, "phishing \"reported\"", "cli:root");
  AuditEntry e = FromChange("mallory@example.org", c, kT0, "cli:root", "phishing \"reported\"");
  std::string json = AuditJson(e, "relay1");
  std::string head = "{\"type\": \"sendguard.audit\", \"time\": " + std::to_string(kT0) +
                     ", \"relay\": \"relay1\", \"identity\": \"mallory@example.org\", \"action\": \"suspend\", "
                     "\"by\": \"cli:root\", \"condition\": \"manual\", \"from\": \"none\", \"to\": \"suspend\", "
                     "\"until\": " + std::to_string(kT0 + 3600) +
                     ", \"reason\": \"phishing \\\"reported\\\"\", \"queue_ids\": [], \"result\": \"ok\", "
                     "\"signals\": {\"messages\": 0, ";
  BOOST_TEST(json.substr(0, head.size()) == head);
  BOOST_TEST(json.back() == '}');
  BOOST_TEST(json.find('\n') == std::string::npos);
  std::string text = AuditText(e);
  BOOST_TEST(text.find("identity=mallory@example.org action=suspend by=cli:root condition=manual from=none "
                       "to=suspend until=" + std::to_string(kT0 + 3600) + " queue_ids=- reason=\"phishing") == 0u,
             text);
}

BOOST_AUTO_TEST_CASE(audit_entry_of_an_automatic_change_names_the_evidence_and_stays_valid_json) {
  auto p = Policy(kPolicy);
  Record r;
  Change c;
  for (int i = 0; i < 50; ++i) {
    Observe(&r, Msg(kT0, {"a@x.example"}));
    c = Evaluate(&r, *p, kT0, false);
  }
  BOOST_REQUIRE(c.level_changed);
  AuditEntry e = FromChange("bad\xff" "login", c, kT0, kAutomatic);
  e.queue_ids = {"4Xyz12AbC"};
  std::string json = AuditJson(e, "relay1");
  BOOST_TEST(json.find("\"identity\": \"bad\\ufffdlogin\"") != std::string::npos, json);
  BOOST_TEST(json.find("\"by\": \"sendguard\", \"condition\": \"burst\"") != std::string::npos, json);
  BOOST_TEST(json.find("\"queue_ids\": [\"4Xyz12AbC\"]") != std::string::npos, json);
  BOOST_TEST(json.find("\"messages\": 50") != std::string::npos, json);
  // A release leaves no restriction: no "until", whatever the change said.
  Change released = Release(&r, kT0 + 60, "console:alice");
  AuditEntry rel = FromChange("bad", released, kT0 + 60, "console:alice");
  BOOST_TEST(AuditJson(rel, "r").find("\"to\": \"none\", \"until\": 0") != std::string::npos);
  BOOST_TEST(AuditText(rel).find("until=-") != std::string::npos);
}

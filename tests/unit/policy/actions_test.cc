// Tests for policy/actions.h: the actions file and score -> action mapping.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <fstream>

#include "../temp_dir.h"
#include "policy/actions.h"

using namespace sendguard;
using namespace sendguard::policy;

namespace {
std::string WriteFile(const std::string& text) {
  static const test::TempDir dir;
  static int n = 0;
  return dir.Write("actions-" + std::to_string(++n) + ".conf", text);
}
}  // namespace

BOOST_AUTO_TEST_CASE(shipped_file_loads) {
  auto p = ActionPolicy::Load("policies/actions.conf");
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  BOOST_TEST(*(*p)->For("trusted").reject == 15.0);
  BOOST_TEST(*(*p)->For("no-such-class").tag == 5.0);
  BOOST_TEST(!(*p)->reveal_rules());
}

BOOST_AUTO_TEST_CASE(score_maps_to_tag_quarantine_reject) {
  auto p = ActionPolicy::Defaults();
  BOOST_TEST((DecideContent(*p, "default", 4.9, {}).action == ContentAction::kAccept));
  ContentDecision tag = DecideContent(*p, "default", 5.0, {"A", "B"});
  BOOST_TEST((tag.action == ContentAction::kTag));
  BOOST_REQUIRE(tag.headers.size() == 2u);
  BOOST_TEST(tag.headers[0].value == "5.0");
  BOOST_TEST(tag.headers[1].value == "Yes, score=5.0 required=5.0 tests=A,B");
  ContentDecision q = DecideContent(*p, "default", 8.5, {"A"});
  BOOST_TEST((q.action == ContentAction::kQuarantine));
  BOOST_TEST(q.quarantine_reason.find("8.5") != std::string::npos);
  ContentDecision r = DecideContent(*p, "default", 12.0, {"PHISH"});
  BOOST_TEST((r.action == ContentAction::kReject));
  BOOST_TEST(r.reply.ToString().find("550 5.7.1 ") == 0);
  BOOST_TEST(r.reply.text.find("PHISH") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(reveal_rules_and_missing_steps) {
  auto p = ActionPolicy::Load(WriteFile("score default tag 3 reject 6\nreveal_rules yes\nreject_text go away\n"));
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  BOOST_TEST((DecideContent(**p, "x", 5.9, {"A"}).action == ContentAction::kTag));
  ContentDecision r = DecideContent(**p, "x", 7, {"A", "B"});
  BOOST_TEST(r.reply.text == "go away (A, B)");
}

BOOST_AUTO_TEST_CASE(errors_name_file_and_line) {
  struct Case { const char* text; const char* expect; };
  const Case cases[] = {
      {"\nscore default tag x\n", ":2: 'x' is not a score"},
      {"score default tag 1 spam 2\n", ":1: unknown step 'spam'"},
      {"score default\n", ":1: expected 'score CLASS"},
      {"# c\nreveal_rules maybe\n", ":2: reveal_rules takes yes or no"},
      {"treshold 5\n", ":1: unknown statement 'treshold'"},
      {"score a tag 1\nscore a tag 2\n", ":2: class 'a' given twice"},
  };
  for (const Case& c : cases) {
    std::string path = WriteFile(c.text);
    auto p = ActionPolicy::Load(path);
    BOOST_REQUIRE(!p.ok());
    BOOST_TEST(p.status().message().find(path + c.expect) == 0, p.status().message());
  }
}

BOOST_AUTO_TEST_CASE(action_for_score_takes_the_highest_threshold_reached) {
  Thresholds t;
  BOOST_TEST((ActionForScore(12, t) == ContentAction::kReject));
  BOOST_TEST((ActionForScore(8, t) == ContentAction::kQuarantine));
  BOOST_TEST((ActionForScore(5, t) == ContentAction::kTag));
  BOOST_TEST((ActionForScore(4.99, t) == ContentAction::kAccept));
  t.quarantine.reset();
  t.reject.reset();
  BOOST_TEST((ActionForScore(100, t) == ContentAction::kTag));
}

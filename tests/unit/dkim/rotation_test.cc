// Tests for dkim/rotation.h and the table edits of dkim/table_file.h: the
// rotation file, the publish -> grace step, and which keys are held back.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "dkim/rotation.h"
#include "dkim/table_file.h"
#include "dkim_test_util.h"

using namespace sendguard;
using namespace sendguard::dkim;
using namespace sendguard::dkim::testing;

namespace {

KeyProbe Probe(const std::string& name, bool flagged) {
  return KeyProbe{name, "example.com", name, KeyType::kRsa, 2048, "AAAA", flagged};
}

KeyCheck State(KeyState s) { return KeyCheck{s, "", {}, false}; }

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

RotationPlan Plan(RotationPlan::Stage stage) {
  RotationPlan p;
  p.domain = "example.com";
  p.stage = stage;
  p.old_key = "old";
  p.new_key = "new";
  p.grace_s = 100;
  p.since = 1000;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(flagged_keys_sign_only_when_their_record_matches) {
  std::vector<KeyProbe> probes = {Probe("legacy", false), Probe("a", true), Probe("b", true), Probe("c", true)};
  ChecksByKey checks = {{"a", State(KeyState::kMatch)}, {"b", State(KeyState::kMissing)},
                        {"legacy", State(KeyState::kMissing)}};
  auto held = KeysToHold(probes, checks, {}, true);
  BOOST_TEST(held.size() == 2u);
  BOOST_TEST(held["b"] == "record missing");
  BOOST_TEST(held["c"] == "record not checked yet");
  BOOST_TEST(KeysToHold(probes, checks, {}, false).empty());  // require_published_key = false
  checks["a"] = State(KeyState::kWeak);
  BOOST_TEST(!KeysToHold(probes, checks, {}, true).count("a"));  // weak but published: signs
}

BOOST_AUTO_TEST_CASE(rotation_switches_once_the_new_record_is_seen) {
  std::vector<KeyProbe> probes = {Probe("old", false), Probe("new", true)};
  std::vector<RotationPlan> plans = {Plan(RotationPlan::Stage::kPublish)};
  ChecksByKey checks = {{"new", State(KeyState::kMissing)}};
  BOOST_TEST(!AdvanceRotations(checks, 2000, &plans));
  auto held = KeysToHold(probes, checks, plans, false);  // the new key of a plan is checked regardless
  BOOST_TEST(held.size() == 1u);
  BOOST_TEST(held.count("new") == 1u);
  checks["new"] = State(KeyState::kMatch);
  BOOST_TEST(AdvanceRotations(checks, 2000, &plans));
  BOOST_TEST((plans[0].stage == RotationPlan::Stage::kGrace));
  BOOST_TEST(plans[0].since == 2000);
  held = KeysToHold(probes, checks, plans, true);
  BOOST_TEST(held.size() == 1u);
  BOOST_TEST(held["old"] == "retired by the rotation to new");
  BOOST_TEST(!plans[0].RetireReady(2099));
  BOOST_TEST(plans[0].RetireReady(2100));
  // The new record vanishes during the grace period: the old key signs again.
  checks["new"] = State(KeyState::kMissing);
  held = KeysToHold(probes, checks, plans, true);
  BOOST_TEST(held.size() == 1u);
  BOOST_TEST(held.count("new") == 1u);
}

BOOST_AUTO_TEST_CASE(rotation_file_round_trip_and_errors) {
  TempDir dir;
  std::string path = RotationFilePath(dir.path());
  BOOST_TEST(LoadRotations(path)->empty());  // no file: no rotation
  std::vector<RotationPlan> plans = {Plan(RotationPlan::Stage::kPublish), Plan(RotationPlan::Stage::kGrace)};
  plans[1].domain = "example.net";
  BOOST_REQUIRE(SaveRotations(path, plans).ok());
  auto back = LoadRotations(path);
  BOOST_REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  BOOST_REQUIRE(back->size() == 2u);
  BOOST_TEST((*back)[1].domain == "example.net");
  BOOST_TEST(((*back)[1].stage == RotationPlan::Stage::kGrace));
  BOOST_TEST((*back)[0].grace_s == 100);
  WriteFile(path, "example.com done old new 1 2\n", 0644);
  BOOST_TEST(LoadRotations(path).status().message() == path + ":1: unknown stage 'done' (publish, grace)");
  {
    auto lock = RotationLock::Acquire(path, false);
    BOOST_REQUIRE(lock.ok());
    BOOST_TEST((RotationLock::Acquire(path, false).status().code() == Status::Code::kUnavailable));
  }
  BOOST_TEST(RotationLock::Acquire(path, false).ok());
}

BOOST_AUTO_TEST_CASE(table_edits_keep_other_lines_and_the_mode) {
  TempDir dir;
  std::string path = dir.File("signing.conf");
  WriteFile(path, "# signing table\nExample.com  old   # main domain\nexample.net other\n", 0640);
  BOOST_REQUIRE(ReplaceTableLine(path, "example.com", {"Example.com", "old", "new"}).ok());
  BOOST_REQUIRE(AppendTableLine(path, "example.org third").ok());
  BOOST_REQUIRE(CommentOutTableLine(path, "example.net", "retired").ok());
  BOOST_TEST(Read(path) == "# signing table\nExample.com old new  # main domain\n# retired: example.net other\n"
                           "example.org third\n");
  struct stat st;
  BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0640u);
  BOOST_TEST((ReplaceTableLine(path, "absent.example", {"x"}).code() == Status::Code::kNotFound));
}

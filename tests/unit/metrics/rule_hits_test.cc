// Tests for metrics/rule_hits.h: hits counted by many forked processes at
// once add up exactly; a full table refuses new names and counts their hits
// as unattributed, never under another name; a reload keeps the counts of
// the rules that stay and of those that go; the last load's record reads
// back whole, also while the parent rewrites it.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "metrics/rule_hits.h"

namespace sendguard::metrics {
namespace {

std::unique_ptr<RuleHitTable> NewTable(size_t entries = RuleHitTable::kDefaultEntries) {
  Result<std::unique_ptr<RuleHitTable>> t = RuleHitTable::Create(entries);
  BOOST_REQUIRE(t.ok());
  return std::move(t).value();
}

uint64_t HitsOf(const RuleHitTable& t, const std::string& rule) {
  uint64_t n = 0;
  BOOST_REQUIRE_MESSAGE(t.Hits(rule, &n), rule + " is not registered");
  return n;
}

// Forks `children` processes that each count every rule `n` times through
// the process-wide table (as a worker does), from two threads each, and
// waits for them.
void CountInChildren(RuleHitTable* table, const std::vector<std::string>& rules, int children, int n) {
  std::vector<pid_t> pids;
  for (int c = 0; c < children; ++c) {
    pid_t pid = fork();
    if (pid == 0) {
      UseRuleHits(table);
      auto work = [&] {
        for (int i = 0; i < n; ++i)
          for (const std::string& r : rules) CountRuleHit(r);
      };
      std::thread other(work);
      work();
      other.join();
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    BOOST_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(hits_from_forked_processes_add_up_exactly) {
  auto table = NewTable();
  std::vector<std::string> rules = {"SG_PHISH_VERIFY_ACCOUNT", "__SG_HAS_URI", "SG_URI_PHISH_COMBO"};
  for (const std::string& r : rules) BOOST_REQUIRE(table->Register(r));
  CountInChildren(table.get(), rules, 4, 200000);
  for (const std::string& r : rules) BOOST_CHECK_EQUAL(HitsOf(*table, r), 4u * 2 * 200000);
  BOOST_CHECK_EQUAL(table->Unregistered(), 0u);
  uint64_t n = 0;
  BOOST_CHECK(!table->Hits("SG_NEVER_REGISTERED", &n));
}

BOOST_AUTO_TEST_CASE(registering_twice_is_one_entry_and_long_names_stay_apart) {
  auto table = NewTable();
  std::string prefix(RuleHitTable::kNameBytes + 10, 'A');
  BOOST_REQUIRE(table->Register("SG_ONE"));
  BOOST_REQUIRE(table->Register("SG_ONE"));
  BOOST_REQUIRE(table->Register(prefix + "_X"));
  BOOST_REQUIRE(table->Register(prefix + "_Y"));
  BOOST_CHECK_EQUAL(table->used(), 3u);
  table->CountHit(prefix + "_X");
  table->CountHit(prefix + "_X");
  table->CountHit(prefix + "_Y");
  BOOST_CHECK_EQUAL(HitsOf(*table, prefix + "_X"), 2u);
  BOOST_CHECK_EQUAL(HitsOf(*table, prefix + "_Y"), 1u);
}

BOOST_AUTO_TEST_CASE(a_full_table_refuses_new_names_and_counts_their_hits_apart) {
  auto table = NewTable(16);  // 12 names at most
  BOOST_CHECK_EQUAL(table->max_names(), 12u);
  for (int i = 0; i < 12; ++i) BOOST_REQUIRE(table->Register("R" + std::to_string(i)));
  BOOST_CHECK(!table->Register("R_TOO_MANY"));
  BOOST_CHECK(table->Register("R3"));  // a known name is still fine
  BOOST_CHECK_EQUAL(table->used(), 12u);
  CountInChildren(table.get(), {"R_TOO_MANY", "R3"}, 2, 100);
  BOOST_CHECK_EQUAL(table->Unregistered(), 2u * 2 * 100);
  BOOST_CHECK_EQUAL(HitsOf(*table, "R3"), 2u * 2 * 100);
  uint64_t total = 0;
  for (int i = 0; i < 12; ++i) total += HitsOf(*table, "R" + std::to_string(i));
  BOOST_CHECK_EQUAL(total, 2u * 2 * 100);  // nothing counted under another name
}

BOOST_AUTO_TEST_CASE(a_reload_keeps_counts_by_name) {
  auto table = NewTable();
  for (const char* r : {"OLD_GOES", "STAYS"}) BOOST_REQUIRE(table->Register(r));
  CountInChildren(table.get(), {"OLD_GOES", "STAYS"}, 2, 10);
  // The reload: the parent registers the new set while old workers still count.
  pid_t old_worker = fork();
  if (old_worker == 0) {
    UseRuleHits(table.get());
    for (int i = 0; i < 20000; ++i) CountRuleHit("STAYS");
    _exit(0);
  }
  for (int i = 0; i < 2000; ++i) BOOST_REQUIRE(table->Register("NEW_" + std::to_string(i)));
  BOOST_REQUIRE(table->Register("STAYS"));
  int status = 0;
  waitpid(old_worker, &status, 0);
  CountInChildren(table.get(), {"STAYS", "NEW_7"}, 2, 10);
  BOOST_CHECK_EQUAL(HitsOf(*table, "STAYS"), 40u + 20000 + 40);
  BOOST_CHECK_EQUAL(HitsOf(*table, "OLD_GOES"), 40u);  // gone from the rules, not from the table
  BOOST_CHECK_EQUAL(HitsOf(*table, "NEW_7"), 40u);
  BOOST_CHECK_EQUAL(HitsOf(*table, "NEW_8"), 0u);
  BOOST_CHECK_EQUAL(table->Unregistered(), 0u);
}

BOOST_AUTO_TEST_CASE(the_last_load_reads_back_whole) {
  auto table = NewTable();
  BOOST_CHECK_EQUAL(table->Load().at_s, 0);
  std::string long_error(RuleHitTable::kErrorBytes + 100, 'e');
  table->RecordLoad({100, true, true, 0xabcdef, 1400, ""});
  RuleLoad ok = table->Load();
  BOOST_CHECK(ok.ok && ok.at_start);
  BOOST_CHECK_EQUAL(ok.version, 0xabcdefu);
  BOOST_CHECK_EQUAL(ok.rules, 1400);
  BOOST_CHECK_EQUAL(ok.error, "");
  table->RecordLoad({200, false, false, 0xabcdef, 1400, "/etc/sendguard/rules/70_x.cf:3: bad regex"});
  RuleLoad failed = table->Load();
  BOOST_CHECK(!failed.ok && !failed.at_start);
  BOOST_CHECK_EQUAL(failed.at_s, 200);
  BOOST_CHECK_EQUAL(failed.error, "/etc/sendguard/rules/70_x.cf:3: bad regex");
  table->RecordLoad({300, false, false, 1, 1, long_error});
  BOOST_CHECK_EQUAL(table->Load().error, long_error.substr(0, RuleHitTable::kErrorBytes));
}

BOOST_AUTO_TEST_CASE(a_reader_never_sees_half_a_load_record) {
  auto table = NewTable();
  std::string a(300, 'a'), b(40, 'b');
  table->RecordLoad({1, true, false, 1, 1, a});
  pid_t writer = fork();
  if (writer == 0) {
    for (int i = 0; i < 200000; ++i) {
      table->RecordLoad({2, false, false, 2, 2, b});
      table->RecordLoad({1, true, false, 1, 1, a});
    }
    _exit(0);
  }
  int torn = 0, reads = 0, status = 0;
  while (waitpid(writer, &status, WNOHANG) == 0) {
    RuleLoad l = table->Load();
    bool first = l.at_s == 1 && l.ok && l.version == 1 && l.error == a;
    bool second = l.at_s == 2 && !l.ok && l.version == 2 && l.error == b;
    torn += !first && !second;
    ++reads;
  }
  BOOST_TEST_MESSAGE(reads << " reads while the record was rewritten");
  BOOST_CHECK_EQUAL(torn, 0);
}

}  // namespace sendguard::metrics

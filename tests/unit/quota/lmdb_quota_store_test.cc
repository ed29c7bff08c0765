// Tests for quota/lmdb_quota_store.h: atomic reserve/commit/release,
// persistence, overrides, top, garbage collection, and exactness across
// 32 forked processes sharing one store.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "quota/lmdb_quota_store.h"
#include "quota_test_util.h"

using namespace sendguard::quota;
using sendguard::quota::testing::CommitOf;
using sendguard::quota::testing::kNow;
using sendguard::quota::testing::Messages;
using sendguard::quota::testing::OneMessage;
using sendguard::quota::testing::TempDir;

namespace {

std::unique_ptr<LmdbQuotaStore> MustOpen(const std::string& dir) {
  auto store = LmdbQuotaStore::Open(dir, LmdbStoreOptions());
  if (!store.ok()) throw std::runtime_error(store.status().ToString());
  return std::move(store).value();
}

}  // namespace

BOOST_AUTO_TEST_CASE(quota_lmdb_reserve_commit_release) {
  TempDir dir;
  auto store = MustOpen(dir.path() + "/state");
  ReserveRequest a = OneMessage(1, "u:a", 2), b = OneMessage(2, "u:a", 2),
                 c = OneMessage(3, "u:a", 2);
  BOOST_TEST(store->Reserve(a)->accepted);
  BOOST_TEST(store->Reserve(b)->accepted);
  auto over = store->Reserve(c);
  BOOST_REQUIRE(over.ok());
  BOOST_TEST(!over->accepted);
  BOOST_TEST(over->subject == "u:a");
  BOOST_TEST(over->used == 2);
  BOOST_TEST(store->Release(2, {"u:a"}, nullptr).ok());  // b was rejected later: frees its slot
  BOOST_TEST(store->Reserve(c)->accepted);
  BOOST_TEST(store->Commit(CommitOf(a)).ok());
  auto usage = store->Read({"u:a", {Messages(2)}}, kNow);
  BOOST_REQUIRE(usage.ok());
  BOOST_TEST((*usage)[0].committed == 1);
  BOOST_TEST((*usage)[0].pending == 1);
  BOOST_TEST((*usage)[0].frees_at_seconds > kNow);
}

BOOST_AUTO_TEST_CASE(quota_lmdb_rejected_reserve_changes_nothing_on_any_subject) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ReserveRequest r = OneMessage(1, "u:a", 10);
  r.subjects.push_back({"d:x", {Messages(0)}});  // the domain is full
  BOOST_TEST(!store->Reserve(r)->accepted);
  auto usage = store->Read({"u:a", {Messages(10)}}, kNow);
  BOOST_TEST((*usage)[0].pending == 0);
}

BOOST_AUTO_TEST_CASE(quota_lmdb_pending_reservations_expire) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  BOOST_TEST(store->Reserve(OneMessage(1, "u:a", 1))->accepted);
  BOOST_TEST(!store->Reserve(OneMessage(2, "u:a", 1))->accepted);
  // The daemon died: nobody commits or releases reservation 1.
  BOOST_TEST(store->Reserve(OneMessage(2, "u:a", 1, kNow + 600))->accepted);
}

BOOST_AUTO_TEST_CASE(quota_lmdb_counts_survive_reopen) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    ReserveRequest r = OneMessage(1, "u:a", 5);
    BOOST_TEST(store->Reserve(r)->accepted);
    BOOST_TEST(store->Commit(CommitOf(r)).ok());
    BOOST_TEST(store->SetOverride("a", "bulk").ok());
  }
  auto store = MustOpen(dir.path());
  BOOST_TEST((*store->Read({"u:a", {Messages(5)}}, kNow))[0].committed == 1);
  BOOST_TEST(store->GetOverride("a")->value() == "bulk");
}

BOOST_AUTO_TEST_CASE(quota_lmdb_counts_survive_kill_9) {
  TempDir dir;
  pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    auto store = LmdbQuotaStore::Open(dir.path(), LmdbStoreOptions());
    if (!store.ok()) _exit(2);
    for (uint64_t id = 1; id <= 3; ++id) {
      ReserveRequest r = OneMessage(id, "u:a", 100);
      if (!(*store)->Reserve(r).ok() || !(*store)->Commit(CommitOf(r)).ok()) _exit(3);
    }
    (*store)->Reserve(OneMessage(99, "u:a", 100));  // in flight when killed
    kill(getpid(), SIGKILL);
    _exit(4);
  }
  int status = 0;
  BOOST_REQUIRE(waitpid(child, &status, 0) == child);
  BOOST_REQUIRE(WIFSIGNALED(status));
  auto store = MustOpen(dir.path());
  auto usage = store->Read({"u:a", {Messages(100)}}, kNow);
  BOOST_REQUIRE(usage.ok());
  BOOST_TEST((*usage)[0].committed == 3);
  BOOST_TEST((*usage)[0].pending == 1);
  BOOST_TEST((*store->Read({"u:a", {Messages(100)}}, kNow + 601))[0].pending == 0);
}

BOOST_AUTO_TEST_CASE(quota_lmdb_reset_overrides_top_and_gc) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  for (uint64_t id = 1; id <= 5; ++id) {
    ReserveRequest r = OneMessage(id, id <= 3 ? "u:heavy" : "u:light", 100);
    BOOST_TEST(store->Reserve(r)->accepted);
    BOOST_TEST(store->Commit(CommitOf(r)).ok());
  }
  auto top = store->Top(10, kNow);
  BOOST_REQUIRE(top.ok());
  BOOST_REQUIRE(top->size() == 2u);
  BOOST_TEST((*top)[0].subject == "u:heavy");
  BOOST_TEST((*top)[0].last_hour.messages == 3);
  BOOST_TEST(store->Top(1, kNow)->size() == 1u);
  BOOST_TEST(store->Reset("u:heavy").ok());
  BOOST_TEST((*store->Read({"u:heavy", {Messages(100)}}, kNow))[0].committed == 0);
  BOOST_TEST(store->SetOverride("x", "bulk").ok());
  BOOST_TEST(store->ClearOverride("x").ok());
  BOOST_TEST(!store->GetOverride("x")->has_value());
  BOOST_TEST(*store->CollectGarbage(kNow) == 0u);
  BOOST_TEST(*store->CollectGarbage(kNow + 2 * 3600) == 1u);  // u:light expired
  BOOST_TEST(store->Top(10, kNow)->empty());
}

BOOST_AUTO_TEST_CASE(quota_lmdb_open_fails_cleanly_on_bad_dir) {
  auto store = LmdbQuotaStore::Open("/proc/version/quota", LmdbStoreOptions());
  BOOST_TEST(!store.ok());
}

// 32 processes share one store and one user with a limit of 100; each tries
// 10 messages. Exactly 100 must be accepted in total.
BOOST_AUTO_TEST_CASE(quota_lmdb_32_processes_never_overshoot) {
  TempDir dir;
  MustOpen(dir.path());  // create the environment once, then close it
  std::vector<pid_t> children;
  for (int p = 0; p < 32; ++p) {
    pid_t child = fork();
    if (child == 0) {
      auto store = LmdbQuotaStore::Open(dir.path(), LmdbStoreOptions());
      if (!store.ok()) _exit(255);
      int accepted = 0;
      for (int m = 0; m < 10; ++m) {
        ReserveRequest r = OneMessage(static_cast<uint64_t>(p * 100 + m + 1), "u:a", 100);
        auto outcome = (*store)->Reserve(r);
        if (!outcome.ok()) _exit(254);
        if (outcome->accepted) {
          usleep(500);  // the DATA phase: other processes reserve meanwhile
          if (!(*store)->Commit(CommitOf(r)).ok()) _exit(253);
          ++accepted;
        }
      }
      _exit(accepted);
    }
    if (child > 0) children.push_back(child);
  }
  BOOST_REQUIRE(children.size() == 32u);
  int total = 0, failures = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (pid_t child : children) {
    int status = 0;
    while (waitpid(child, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) <= 10) {
      total += WEXITSTATUS(status);
    } else {
      ++failures;
    }
  }
  BOOST_TEST(failures == 0);
  BOOST_TEST(total == 100);
  auto store = MustOpen(dir.path());
  BOOST_TEST((*store->Read({"u:a", {Messages(100)}}, kNow))[0].committed == 100);
}

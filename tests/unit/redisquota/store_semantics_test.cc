// The store contract of quota/quota_store.h, checked on both backends: the
// embedded LMDB store and the Redis store (with the caller's clock so that
// time can move). A random-operation transcript must be identical on both.
#include <boost/test/unit_test.hpp>

#include <random>
#include <sstream>
#include <thread>

#include "store_test_util.h"

using namespace sendguard::quota;
using sendguard::Result;
using sendguard::Status;
using namespace sendguard::redisquota::testing;

namespace {

// Runs `body` on each backend, naming the backend in failure messages.
template <typename Body>
void OnBothStores(Body body) {
  StorePair pair;
  BOOST_TEST_CONTEXT("lmdb") { body(*pair.lmdb); }
  BOOST_TEST_CONTEXT("redis") { body(*pair.redis); }
}

}  // namespace

BOOST_AUTO_TEST_CASE(redisquota_semantics_reserve_commit_release) {
  OnBothStores([](QuotaStore& store) {
    ReserveRequest a = OneMessage(1, "u:a", 2), b = OneMessage(2, "u:a", 2),
                   c = OneMessage(3, "u:a", 2);
    BOOST_TEST(store.Reserve(a)->accepted);
    BOOST_TEST(store.Reserve(b)->accepted);
    auto over = store.Reserve(c);
    BOOST_REQUIRE(over.ok());
    BOOST_TEST(!over->accepted);
    BOOST_TEST(over->subject == "u:a");
    BOOST_TEST(over->used == 2);
    BOOST_TEST(over->limit.limit == 2);
    BOOST_TEST(over->retry_after_seconds == kNow + 60);  // only pending blocks
    BOOST_TEST(store.Release(2, {"u:a"}, nullptr).ok());
    BOOST_TEST(store.Release(2, {"u:a"}, nullptr).ok());  // idempotent
    BOOST_TEST(store.Reserve(c)->accepted);
    BOOST_TEST(store.Commit(CommitOf(a)).ok());
    auto usage = store.Read({"u:a", {Messages(2)}}, kNow);
    BOOST_REQUIRE(usage.ok());
    BOOST_TEST((*usage)[0].committed == 1);
    BOOST_TEST((*usage)[0].pending == 1);
    BOOST_TEST((*usage)[0].frees_at_seconds == (kNow / 60 + 61) * 60);  // bucket expiry
  });
}

BOOST_AUTO_TEST_CASE(redisquota_semantics_rejected_reserve_changes_nothing) {
  OnBothStores([](QuotaStore& store) {
    ReserveRequest r = OneMessage(1, "u:a", 10);
    r.subjects.push_back({"d:x", {Messages(0)}});  // the domain is full
    auto outcome = store.Reserve(r);
    BOOST_REQUIRE(outcome.ok());
    BOOST_TEST(!outcome->accepted);
    BOOST_TEST(outcome->subject == "d:x");
    BOOST_TEST(outcome->retry_after_seconds == kNow + 3600);  // never fits: one window
    BOOST_TEST((*store.Read({"u:a", {Messages(10)}}, kNow))[0].pending == 0);
  });
}

BOOST_AUTO_TEST_CASE(redisquota_semantics_pending_expire_and_accumulate) {
  OnBothStores([](QuotaStore& store) {
    ReserveRequest first = OneMessage(1, "u:a", 3);
    BOOST_TEST(store.Reserve(first)->accepted);
    BOOST_TEST(store.Reserve(first)->accepted);  // second recipient, same message
    BOOST_TEST((*store.Read({"u:a", {Messages(3)}}, kNow))[0].pending == 2);
    BOOST_TEST(!store.Reserve(OneMessage(2, "u:a", 2))->accepted);
    // Nobody commits or releases reservation 1: it stops counting at its deadline.
    BOOST_TEST(store.Reserve(OneMessage(2, "u:a", 2, kNow + 600))->accepted);
    BOOST_TEST((*store.Read({"u:a", {Messages(3)}}, kNow + 1300))[0].pending == 0);
  });
}

BOOST_AUTO_TEST_CASE(redisquota_semantics_window_slides_at_retry_time) {
  OnBothStores([](QuotaStore& store) {
    for (uint64_t id = 1; id <= 3; ++id) {
      ReserveRequest r = OneMessage(id, "u:a", 3, kNow + static_cast<int64_t>(id) * 100);
      BOOST_TEST(store.Reserve(r)->accepted);
      BOOST_TEST(store.Commit(CommitOf(r)).ok());
    }
    auto over = store.Reserve(OneMessage(9, "u:a", 3, kNow + 400));
    BOOST_REQUIRE(over.ok());
    BOOST_TEST(!over->accepted);
    BOOST_TEST(over->used == 3);
    int64_t retry = over->retry_after_seconds;
    BOOST_TEST(retry > kNow + 3600);
    BOOST_TEST(retry <= kNow + 100 + 3600 + 60);
    BOOST_TEST(!store.Reserve(OneMessage(9, "u:a", 3, retry - 1))->accepted);
    BOOST_TEST(store.Reserve(OneMessage(9, "u:a", 3, retry))->accepted);
  });
}

BOOST_AUTO_TEST_CASE(redisquota_semantics_commit_counts_after_reset) {
  OnBothStores([](QuotaStore& store) {
    ReserveRequest r = OneMessage(1, "u:a", 5);
    BOOST_TEST(store.Reserve(r)->accepted);
    BOOST_TEST(store.Reset("u:a").ok());
    BOOST_TEST((*store.Read({"u:a", {Messages(5)}}, kNow))[0].pending == 0);
    BOOST_TEST(store.Commit(CommitOf(r)).ok());  // the pending entry is gone
    BOOST_TEST((*store.Read({"u:a", {Messages(5)}}, kNow))[0].committed == 1);
  });
}

BOOST_AUTO_TEST_CASE(redisquota_semantics_reset_overrides_top) {
  OnBothStores([](QuotaStore& store) {
    for (uint64_t id = 1; id <= 5; ++id) {
      ReserveRequest r = OneMessage(id, id <= 3 ? "u:heavy" : "u:li{g}ht%", 100);
      BOOST_TEST(store.Reserve(r)->accepted);
      BOOST_TEST(store.Commit(CommitOf(r)).ok());
    }
    auto top = store.Top(10, kNow);
    BOOST_REQUIRE(top.ok());
    BOOST_REQUIRE(top->size() == 2u);
    BOOST_TEST((*top)[0].subject == "u:heavy");
    BOOST_TEST((*top)[0].last_hour.messages == 3);
    BOOST_TEST((*top)[0].last_hour.recipients == 3);
    BOOST_TEST((*top)[1].subject == "u:li{g}ht%");
    BOOST_TEST(store.Top(1, kNow)->size() == 1u);
    BOOST_TEST(store.Top(10, kNow + 2 * 3600)->empty());
    BOOST_TEST(store.Reset("u:heavy").ok());
    BOOST_TEST((*store.Read({"u:heavy", {Messages(100)}}, kNow))[0].committed == 0);
    BOOST_TEST(store.Top(10, kNow)->size() == 1u);
    BOOST_TEST(!store.GetOverride("x")->has_value());
    BOOST_TEST(store.SetOverride("x", "bulk").ok());
    BOOST_TEST(store.GetOverride("x")->value() == "bulk");
    BOOST_TEST(store.ClearOverride("x").ok());
    BOOST_TEST(!store.GetOverride("x")->has_value());
    BOOST_TEST(store.CollectGarbage(kNow).ok());
  });
}

// Random operations on two users sharing a domain, several metrics and
// windows, time jumping forward: both stores must answer identically.
namespace {

std::string Describe(const Result<ReserveOutcome>& o) {
  if (!o.ok()) return "error " + o.status().ToString();
  if (o->accepted) return "accepted";
  return "over " + o->subject + " " + o->limit.Describe() + " used=" +
         std::to_string(o->used) + " retry=" + std::to_string(o->retry_after_seconds);
}

std::string Describe(const Result<std::vector<LimitUsage>>& u) {
  if (!u.ok()) return "error " + u.status().ToString();
  std::ostringstream s;
  for (const LimitUsage& x : *u) {
    s << x.limit.Describe() << ":" << x.committed << "+" << x.pending << "@"
      << x.frees_at_seconds << " ";
  }
  return s.str();
}

std::vector<std::string> RandomTranscript(QuotaStore& store, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  std::vector<WindowLimit> user = {Messages(5), Limit(Metric::kRecipients, 12, 86400),
                                   Limit(Metric::kBytes, 5000, 600)};
  std::vector<WindowLimit> domain = {Messages(8), Limit(Metric::kBytes, 9000, 120)};
  std::vector<std::string> out;
  int64_t now = kNow;
  uint64_t next_id = 1;
  std::vector<std::pair<uint64_t, std::string>> in_flight;
  for (int step = 0; step < 400; ++step) {
    int jump = pick(10);
    now += jump < 6 ? pick(30) : jump < 9 ? pick(400) : pick(5000);
    std::string who = pick(2) ? "u:a" : "u:b";
    std::vector<SubjectLimits> subjects = {{who, user}, {"d:x", domain}};
    int op = pick(10);
    std::string line = std::to_string(step) + " t=" + std::to_string(now - kNow) + " ";
    if (op < 4 || in_flight.empty()) {
      ReserveRequest r;
      bool reuse = !in_flight.empty() && pick(3) == 0;
      r.id = reuse ? in_flight[static_cast<size_t>(pick(static_cast<int>(in_flight.size())))].first
                   : next_id++;
      r.subjects = subjects;
      r.delta = {reuse ? 0 : 1, pick(4), pick(1500)};
      r.now_seconds = now;
      r.deadline_seconds = now + 300;
      if (!reuse) in_flight.push_back({r.id, who});
      line += "reserve " + std::to_string(r.id) + " " + who + " " + Describe(store.Reserve(r));
    } else if (op < 7) {
      size_t i = static_cast<size_t>(pick(static_cast<int>(in_flight.size())));
      CommitRequest c{in_flight[i].first, {{in_flight[i].second, user}, {"d:x", domain}},
                      {1, pick(4), pick(1500)}, now};
      line += "commit " + std::to_string(c.id) + " " + (store.Commit(c).ok() ? "ok" : "error");
      in_flight.erase(in_flight.begin() + static_cast<long>(i));
    } else if (op < 8) {
      size_t i = static_cast<size_t>(pick(static_cast<int>(in_flight.size())));
      Status st = store.Release(in_flight[i].first, {in_flight[i].second, "d:x"}, nullptr);
      line += "release " + std::to_string(in_flight[i].first) + (st.ok() ? " ok" : " error");
      if (pick(2)) in_flight.erase(in_flight.begin() + static_cast<long>(i));
    } else if (op < 9) {
      line += "read " + who + " " + Describe(store.Read({who, user}, now)) + " d:x " +
              Describe(store.Read({"d:x", domain}, now));
    } else if (pick(4) == 0) {
      line += std::string("reset ") + who + (store.Reset(who).ok() ? " ok" : " error");
    } else {
      auto top = store.Top(5, now);
      line += "top";
      if (top.ok()) {
        for (const TopEntry& t : *top) {
          line += " " + t.subject + "=" + std::to_string(t.last_hour.messages) + "/" +
                  std::to_string(t.last_hour.recipients) + "/" +
                  std::to_string(t.last_hour.bytes);
        }
      }
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(redisquota_semantics_random_transcripts_match_lmdb) {
  int rejections = 0;
  for (uint32_t seed : {1u, 2u, 3u, 4u}) {
    StorePair pair;
    std::vector<std::string> lmdb = RandomTranscript(*pair.lmdb, seed);
    std::vector<std::string> redis = RandomTranscript(*pair.redis, seed);
    BOOST_REQUIRE(lmdb.size() == redis.size());
    for (size_t i = 0; i < lmdb.size(); ++i) {
      BOOST_TEST_REQUIRE(lmdb[i] == redis[i], "seed " << seed);
      if (lmdb[i].find(" over ") != std::string::npos) ++rejections;
    }
  }
  BOOST_TEST(rejections > 20);  // the scenario really exercises the limits
}

// Records (the abuse state): read-modify-write, delete, prefix listing, and
// an exact result when several threads update one record at once.
BOOST_AUTO_TEST_CASE(redisquota_semantics_records) {
  OnBothStores([](QuotaStore& store) {
    BOOST_TEST(store.GetRecord("a:x")->empty());
    auto add = [](const std::string& s) { return std::to_string((s.empty() ? 0 : std::stoi(s)) + 1); };
    BOOST_TEST(*store.UpdateRecord("a:x", add) == "1");
    BOOST_TEST(*store.UpdateRecord("a:x", add) == "2");
    BOOST_TEST(*store.UpdateRecord("a:y", add) == "1");
    BOOST_TEST(*store.UpdateRecord("b:z", add) == "1");
    BOOST_TEST(*store.GetRecord("a:x") == "2");
    auto keys = store.RecordKeys("a:");
    BOOST_REQUIRE(keys.ok());
    BOOST_TEST((*keys == std::vector<std::string>{"a:x", "a:y"}));
    BOOST_TEST(store.UpdateRecord("a:y", [](const std::string&) { return std::string(); })->empty());
    BOOST_TEST(store.GetRecord("a:y")->empty());
    BOOST_TEST(store.RecordKeys("a:")->size() == 1u);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) BOOST_CHECK(store.UpdateRecord("a:n", add).ok());
      });
    }
    for (auto& t : threads) t.join();
    BOOST_TEST(*store.GetRecord("a:n") == "200");
  });
}

// Conditional record writes, alone and folded into a commit or a release:
// a write whose expected version is stale is refused and hands back the
// record as it is now; the commit or release itself happens either way; the
// record and the class override are read together.
BOOST_AUTO_TEST_CASE(redisquota_semantics_record_writes_fold_into_commit_and_release) {
  OnBothStores([](QuotaStore& store) {
    RecordWrite first{"a:w", 0, "one"};
    BOOST_REQUIRE(store.WriteRecord(&first).ok());
    BOOST_TEST(first.done);
    BOOST_TEST(first.written);
    Result<StoredRecord> r = store.ReadRecord("a:w");
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->bytes == "one");
    BOOST_TEST(r->version == 1u);
    RecordWrite stale{"a:w", 0, "lost"};
    BOOST_REQUIRE(store.WriteRecord(&stale).ok());
    BOOST_TEST(!stale.written);
    BOOST_TEST(stale.current.bytes == "one");
    BOOST_TEST(stale.current.version == 1u);

    ReserveRequest m = OneMessage(7, "u:a", 5);
    BOOST_REQUIRE(store.Reserve(m)->accepted);
    RecordWrite with_commit{"a:w", 1, "two"};
    CommitRequest c{7, m.subjects, m.delta, m.now_seconds, &with_commit};
    BOOST_REQUIRE(store.Commit(c).ok());
    BOOST_TEST(with_commit.done);
    BOOST_TEST(with_commit.written);
    BOOST_TEST(store.Read(m.subjects[0], m.now_seconds)->front().committed == 1);
    RecordWrite stale_commit{"a:w", 1, "lost"};
    ReserveRequest m2 = OneMessage(8, "u:a", 5);
    BOOST_REQUIRE(store.Reserve(m2)->accepted);
    CommitRequest c2{8, m2.subjects, m2.delta, m2.now_seconds, &stale_commit};
    BOOST_REQUIRE(store.Commit(c2).ok());
    BOOST_TEST(!stale_commit.written);
    BOOST_TEST(stale_commit.current.bytes == "two");
    BOOST_TEST(store.Read(m.subjects[0], m.now_seconds)->front().committed == 2);  // counted all the same

    ReserveRequest m3 = OneMessage(9, "u:a", 5);
    BOOST_REQUIRE(store.Reserve(m3)->accepted);
    RecordWrite with_release{"a:w", 2, ""};  // "" deletes
    BOOST_REQUIRE(store.Release(9, {"u:a"}, &with_release).ok());
    BOOST_TEST(with_release.written);
    BOOST_TEST(store.ReadRecord("a:w")->version == 0u);
    BOOST_TEST(store.Read(m.subjects[0], m.now_seconds)->front().pending == 0);

    BOOST_REQUIRE(store.SetOverride("alice", "bulk").ok());
    RecordWrite rec{"a:alice", 0, "state"};
    BOOST_REQUIRE(store.WriteRecord(&rec).ok());
    Result<IdentityView> view = store.ReadIdentity("alice", "a:alice");
    BOOST_REQUIRE(view.ok());
    BOOST_TEST(view->override_class.value_or("") == "bulk");
    BOOST_TEST(view->record.bytes == "state");
    BOOST_TEST(view->record.version == 1u);
    Result<IdentityView> none = store.ReadIdentity("bob", "a:bob");
    BOOST_REQUIRE(none.ok());
    BOOST_TEST(!none->override_class.has_value());
    BOOST_TEST(none->record.version == 0u);
  });
}

// A record written before versions existed reads as version 0 and is
// replaced by a write that expects 0.
BOOST_AUTO_TEST_CASE(redisquota_semantics_unversioned_values) {
  StoredRecord old = ParseVersionedValue("sgabuse 1\nb 1 2\n");
  BOOST_TEST(old.version == 0u);
  BOOST_TEST(old.bytes == "sgabuse 1\nb 1 2\n");
  StoredRecord v = ParseVersionedValue(VersionedValue(42, "x\ny"));
  BOOST_TEST(v.version == 42u);
  BOOST_TEST(v.bytes == "x\ny");
  BOOST_TEST(ParseVersionedValue("12").version == 0u);  // no newline: not a version
}

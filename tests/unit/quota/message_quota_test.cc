// Tests for quota/message_quota.h with an injected clock and a real LMDB
// store: windows, release on reject/abort, per-message limits, bytes, domain
// aggregates, overrides, actions, store errors and 32 concurrent threads.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/clock.h"
#include "quota/lmdb_quota_store.h"
#include "quota/message_quota.h"
#include "quota_test_util.h"

using namespace sendguard::quota;
using sendguard::ManualClock;
using sendguard::Result;
using sendguard::Status;
using sendguard::quota::testing::MustParse;
using sendguard::quota::testing::TempDir;

namespace {

const char* kPolicy = R"(
class default {
  messages 3/1h
  messages 5/1d
  recipients 6/1h
  bytes 1000/1h
  rcpt_per_msg 4
  max_size 800
}
class wide { messages 100/1h }
class held { messages 1/1h; action quarantine }
class banned { messages 0/1h; action reject }
domain shared.example { messages 4/1h }
users {
  @held.example    held
  @banned.example  banned
  @wide.example    wide
}
)";

// Fault injection: a store that fails every call while `broken` is set.
class BreakableStore : public QuotaStore {
 public:
  explicit BreakableStore(QuotaStore* real) : real_(real) {}
  bool broken = false;

  Result<ReserveOutcome> Reserve(const ReserveRequest& r) override {
    if (broken) return Down();
    return real_->Reserve(r);
  }
  Status Commit(const CommitRequest& r) override { return broken ? Down() : real_->Commit(r); }
  Status Release(uint64_t id, const std::vector<std::string>& s, RecordWrite* w) override {
    return broken ? Down() : real_->Release(id, s, w);
  }
  Result<std::vector<LimitUsage>> Read(const SubjectLimits& s, int64_t now) override {
    return real_->Read(s, now);
  }
  Status Reset(const std::string& s) override { return real_->Reset(s); }
  Result<std::vector<TopEntry>> Top(size_t n, int64_t now) override { return real_->Top(n, now); }
  Result<size_t> CollectGarbage(int64_t now) override { return real_->CollectGarbage(now); }
  Result<std::optional<std::string>> GetOverride(const std::string& id) override {
    if (broken) return Down();
    return real_->GetOverride(id);
  }
  Status SetOverride(const std::string& id, const std::string& c) override {
    return real_->SetOverride(id, c);
  }
  Status ClearOverride(const std::string& id) override { return real_->ClearOverride(id); }
  Result<std::string> UpdateRecordFrom(const std::string& k, const RecordUpdate& u, const StoredRecord* known) override {
    return real_->UpdateRecordFrom(k, u, known);
  }
  Result<StoredRecord> ReadRecord(const std::string& k) override { return real_->ReadRecord(k); }
  Status WriteRecord(RecordWrite* w) override { return real_->WriteRecord(w); }
  Result<IdentityView> ReadIdentity(const std::string& id, const std::string& k) override {
    if (broken) return Down();
    return real_->ReadIdentity(id, k);
  }
  Result<std::vector<std::string>> RecordKeys(const std::string& p) override { return real_->RecordKeys(p); }

 private:
  static Status Down() { return Status::Unavailable("injected store failure"); }
  QuotaStore* real_;
};

struct Fixture {
  TempDir dir;
  std::unique_ptr<LmdbQuotaStore> store;
  std::shared_ptr<const QuotaPolicy> policy = MustParse(kPolicy);
  ManualClock clock{1700000000LL * 1000000};  // 22:13:20 UTC
  QuotaOptions options;

  Fixture() {
    auto opened = LmdbQuotaStore::Open(dir.path(), LmdbStoreOptions());
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    store = std::move(opened).value();
  }

  std::unique_ptr<MessageQuota> Begin(const std::string& login, QuotaStore* s = nullptr) {
    auto id = Identity::FromLogin(login, options);
    if (!id.ok()) throw std::runtime_error(id.status().ToString());
    return std::make_unique<MessageQuota>(policy, s ? s : store.get(), *id, clock, options);
  }

  // Sends one message with `rcpts` recipients; returns the last decision.
  QuotaDecision Send(const std::string& login, int rcpts = 1, int64_t bytes = 10) {
    auto q = Begin(login);
    QuotaDecision d;
    for (int i = 0; i < rcpts; ++i) {
      d = q->AddRecipient("r" + std::to_string(i) + "@dest.example");
      if (!d.allow) return d;
    }
    d = q->CheckSize(bytes);
    if (d.allow && q->Commit().ok()) return d;
    return d;
  }

  int64_t Used(const std::string& login, const WindowLimit& limit) {
    auto usage = store->Read({"u:" + login, {limit}}, clock.NowSeconds());
    return usage.ok() ? (*usage)[0].committed + (*usage)[0].pending : -1;
  }
};

WindowLimit Hourly(Metric m, int64_t limit) {
  WindowLimit w;
  w.metric = m;
  w.limit = limit;
  w.window_seconds = 3600;
  w.resolution_seconds = 60;
  return w;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(quota_message, Fixture)

BOOST_AUTO_TEST_CASE(window_limit_gives_451_with_limit_and_retry_time) {
  for (int i = 0; i < 3; ++i) BOOST_TEST(Send("alice@example.org").allow);
  QuotaDecision d = Send("alice@example.org");
  BOOST_TEST(!d.allow);
  BOOST_TEST(d.verdict == QuotaVerdict::kOverWindowLimit);
  BOOST_TEST(d.action == OverQuotaAction::kTempfail);
  // Committed at 22:13:20: its bucket [22:13, 22:14) stops counting at 23:14.
  BOOST_TEST(d.reply.ToString() ==
             "451 4.7.1 alice@example.org: quota 3 messages/1h reached, retry after 23:14 UTC");
}

BOOST_AUTO_TEST_CASE(sliding_window_and_several_windows_at_once) {
  for (int i = 0; i < 3; ++i) BOOST_TEST(Send("a@x.example").allow);
  clock.AdvanceSeconds(3600);  // the hour bucket is still in its last minute
  BOOST_TEST(!Send("a@x.example").allow);
  clock.AdvanceSeconds(60);
  BOOST_TEST(Send("a@x.example").allow);
  BOOST_TEST(Send("a@x.example").allow);
  QuotaDecision d = Send("a@x.example");  // 5/1d is reached before 3/1h
  BOOST_TEST(!d.allow);
  BOOST_TEST(d.reply.text.find("quota 5 messages/1d reached") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(release_on_reject_abort_and_destruction) {
  {
    auto q = Begin("bob@x.example");
    BOOST_TEST(q->AddRecipient("r@d").allow);
    BOOST_TEST(q->Release().ok());  // content rules rejected it
  }
  {
    auto q = Begin("bob@x.example");
    BOOST_TEST(q->AddRecipient("r@d").allow);
    BOOST_TEST(Used("bob@x.example", Hourly(Metric::kMessages, 3)) == 1);  // pending counts
  }  // connection lost: the destructor releases
  BOOST_TEST(Used("bob@x.example", Hourly(Metric::kMessages, 3)) == 0);
  for (int i = 0; i < 3; ++i) BOOST_TEST(Send("bob@x.example").allow);
}

BOOST_AUTO_TEST_CASE(counts_messages_not_recipients) {
  BOOST_TEST(Send("c@x.example", 3).allow);
  BOOST_TEST(Used("c@x.example", Hourly(Metric::kMessages, 3)) == 1);
  BOOST_TEST(Used("c@x.example", Hourly(Metric::kRecipients, 6)) == 3);
  // 3 more recipients fit the 6/1h recipient window, the 7th does not.
  auto q = Begin("c@x.example");
  for (int i = 0; i < 3; ++i) BOOST_TEST(q->AddRecipient("r@d").allow);
  QuotaDecision d = q->AddRecipient("r@d");
  BOOST_TEST(!d.allow);
  BOOST_TEST(d.reply.text.find("quota 6 recipients/1h") != std::string::npos);
  BOOST_TEST(q->accepted_recipients() == 3);
  BOOST_TEST(q->Commit().ok());
  BOOST_TEST(Used("c@x.example", Hourly(Metric::kRecipients, 6)) == 6);
}

BOOST_AUTO_TEST_CASE(recipients_per_message_gives_452) {
  auto q = Begin("d@x.example");
  for (int i = 0; i < 4; ++i) BOOST_TEST(q->AddRecipient("r@d").allow);
  QuotaDecision d = q->AddRecipient("fifth@d");
  BOOST_TEST(!d.allow);
  BOOST_TEST(d.verdict == QuotaVerdict::kOverMessageLimit);
  BOOST_TEST(d.reply.ToString() ==
             "452 4.5.3 d@x.example: at most 4 recipients per message, fifth@d not accepted");
}

BOOST_AUTO_TEST_CASE(bytes_window_and_max_size) {
  QuotaDecision big = Send("e@x.example", 1, 801);
  BOOST_TEST(!big.allow);
  BOOST_TEST(big.reply.code == "552");
  BOOST_TEST(big.reply.xcode == "5.3.4");
  BOOST_TEST(Used("e@x.example", Hourly(Metric::kMessages, 3)) == 0);  // released
  BOOST_TEST(Send("e@x.example", 1, 700).allow);
  QuotaDecision over = Send("e@x.example", 1, 400);
  BOOST_TEST(!over.allow);
  BOOST_TEST(over.reply.text.find("quota 1000B/1h reached") != std::string::npos);
  BOOST_TEST(Used("e@x.example", Hourly(Metric::kBytes, 1000)) == 700);
  BOOST_TEST(Used("e@x.example", Hourly(Metric::kMessages, 3)) == 1);
}

BOOST_AUTO_TEST_CASE(final_amounts_commit_what_the_mta_accepted) {
  // Three recipients reserved, the MTA accepted two of them (a later
  // restriction refused one): two are counted.
  auto q = Begin("f@x.example");
  for (int i = 0; i < 3; ++i) BOOST_TEST(q->AddRecipient("r@d").allow);
  BOOST_TEST(q->CheckFinalAmounts(2, 300).allow);
  BOOST_TEST(q->Commit().ok());
  BOOST_TEST(Used("f@x.example", Hourly(Metric::kRecipients, 6)) == 2);
  BOOST_TEST(Used("f@x.example", Hourly(Metric::kMessages, 3)) == 1);
  BOOST_TEST(Used("f@x.example", Hourly(Metric::kBytes, 1000)) == 300);
}

BOOST_AUTO_TEST_CASE(final_amounts_without_recipients_reserve_everything_and_check_limits) {
  // No RCPT was seen by this process: the whole message is reserved now,
  // within the windows (6 recipients/1h: 4 fit, then 3 more do not).
  auto a = Begin("g@x.example");
  BOOST_TEST(a->CheckFinalAmounts(4, 100).allow);
  BOOST_TEST(a->Commit().ok());
  auto b = Begin("g@x.example");
  QuotaDecision d = b->CheckFinalAmounts(3, 100);
  BOOST_TEST(!d.allow);
  BOOST_TEST(d.reply.text.find("quota 6 recipients/1h reached") != std::string::npos);
  BOOST_TEST(Used("g@x.example", Hourly(Metric::kMessages, 3)) == 1);
  // rcpt_per_msg and max_size hold for the real amounts too.
  BOOST_TEST(Begin("h@x.example")->CheckFinalAmounts(5, 10).reply.code == "452");
  BOOST_TEST(Begin("h@x.example")->CheckFinalAmounts(1, 801).reply.code == "552");
}

BOOST_AUTO_TEST_CASE(domain_aggregate_sums_its_users) {
  BOOST_TEST(Send("u1@shared.example").allow);
  BOOST_TEST(Send("u2@shared.example").allow);
  BOOST_TEST(Send("u3@shared.example").allow);
  BOOST_TEST(Send("u1@shared.example").allow);
  QuotaDecision d = Send("u4@shared.example");  // u4 alone is far from its limit
  BOOST_TEST(!d.allow);
  BOOST_TEST(d.reply.text.find("shared.example (domain): quota 4 messages/1h") == 0u);
  BOOST_TEST(Used("u4@shared.example", Hourly(Metric::kMessages, 3)) == 0);
}

BOOST_AUTO_TEST_CASE(override_beats_policy_map_and_unknown_override_falls_back) {
  BOOST_TEST(store->SetOverride("f@banned.example", "wide").ok());
  auto q = Begin("f@banned.example");
  BOOST_TEST(q->AddRecipient("r@d").allow);
  BOOST_TEST(q->quota_class()->name == "wide");
  BOOST_TEST(store->SetOverride("g@x.example", "gone").ok());
  auto g = Begin("g@x.example");
  BOOST_TEST(g->AddRecipient("r@d").allow);
  BOOST_TEST(g->quota_class()->name == "default");
}

BOOST_AUTO_TEST_CASE(reject_and_quarantine_actions) {
  QuotaDecision banned = Send("h@banned.example");
  BOOST_TEST(!banned.allow);
  BOOST_TEST(banned.reply.code == "550");
  BOOST_TEST(banned.reply.xcode == "5.7.1");
  BOOST_TEST(banned.action == OverQuotaAction::kReject);

  BOOST_TEST(Send("i@held.example").allow);
  auto q = Begin("i@held.example");
  QuotaDecision d = q->AddRecipient("r@d");
  BOOST_TEST(d.allow);
  BOOST_TEST(d.quarantine);
  BOOST_TEST(d.reply.text.find("quota 1 messages/1h reached") != std::string::npos);
  BOOST_TEST(q->AddRecipient("r2@d").quarantine);
  BOOST_TEST(q->CheckSize(10).quarantine);
  BOOST_TEST(q->Commit().ok());
  BOOST_TEST(Used("i@held.example", Hourly(Metric::kMessages, 1)) == 1);  // held mail not counted
}

BOOST_AUTO_TEST_CASE(unknown_user_is_its_own_verdict) {
  policy = MustParse("class only { messages 1/1h }\nusers { a@b only }\n");
  auto q = Begin("nobody@b");
  QuotaDecision d = q->AddRecipient("r@d");
  BOOST_TEST(!d.allow);
  BOOST_TEST(d.verdict == QuotaVerdict::kUnknownUser);
  BOOST_TEST(q->quota_class() == nullptr);
}

BOOST_AUTO_TEST_CASE(store_errors_fail_closed_or_open) {
  BreakableStore breakable(store.get());
  breakable.broken = true;
  auto closed = Begin("j@x.example", &breakable);
  QuotaDecision d = closed->AddRecipient("r@d");
  BOOST_TEST(d.verdict == QuotaVerdict::kStoreError);
  BOOST_TEST(!d.allow);
  BOOST_TEST(d.reply.ToString().find("451 4.3.0") == 0u);
  BOOST_TEST(d.error.IsUnavailable());
  options.fail_open = true;
  auto open = Begin("j@x.example", &breakable);
  QuotaDecision o = open->AddRecipient("r@d");
  BOOST_TEST(o.verdict == QuotaVerdict::kStoreError);
  BOOST_TEST(o.allow);
  // A store that breaks between RCPT and end of message.
  breakable.broken = false;
  auto later = Begin("j@x.example", &breakable);
  BOOST_TEST(later->AddRecipient("r@d").allow);
  breakable.broken = true;
  BOOST_TEST(!later->Commit().ok());
  breakable.broken = false;
}  // `later` releases on destruction

BOOST_AUTO_TEST_CASE(thirty_two_threads_get_exactly_the_limit) {
  std::atomic<int> accepted{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 32; ++t) {
    threads.emplace_back([&] {
      for (int m = 0; m < 10; ++m) {
        auto q = Begin("k@wide.example");
        QuotaDecision d = q->AddRecipient("r@d");
        if (d.verdict == QuotaVerdict::kStoreError) ++errors;
        std::this_thread::sleep_for(std::chrono::microseconds(500));  // the DATA phase
        if (d.allow && q->CheckSize(100).allow && q->Commit().ok()) ++accepted;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(errors.load() == 0);
  BOOST_TEST(accepted.load() == 100);
  BOOST_TEST(Used("k@wide.example", Hourly(Metric::kMessages, 100)) == 100);
}

BOOST_AUTO_TEST_SUITE_END()

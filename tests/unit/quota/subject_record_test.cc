// Tests for quota/subject_record.h: sliding windows, pending reservations,
// retry-after times, pruning and the binary encoding.
#include <boost/test/unit_test.hpp>

#include "quota/subject_record.h"
#include "quota_test_util.h"

using namespace sendguard::quota;

namespace {

WindowLimit Limit(Metric m, int64_t limit, int64_t window, int64_t resolution) {
  WindowLimit w;
  w.metric = m;
  w.limit = limit;
  w.window_seconds = window;
  w.resolution_seconds = resolution;
  return w;
}

Amounts Messages(int64_t n) {
  Amounts a;
  a.messages = n;
  return a;
}

constexpr int64_t kT0 = 1700000000 / 3600 * 3600;  // on an hour boundary

}  // namespace

BOOST_AUTO_TEST_CASE(quota_record_sliding_window_has_no_edge_burst) {
  // 10 messages/1h with 60 s buckets.
  WindowLimit hour = Limit(Metric::kMessages, 10, 3600, 60);
  SubjectRecord r;
  r.AddCommitted({hour}, Messages(10), kT0 + 3599);  // all at the end of an hour
  // A fixed window would reset at kT0 + 3600; the sliding one must not.
  BOOST_TEST(!r.Check(hour, 1, kT0 + 3600).fits);
  BOOST_TEST(!r.Check(hour, 1, kT0 + 3599 + 3600 - 1).fits);  // still inside the window
  // Bucket [kT0+3540, kT0+3600) stops counting at kT0 + 3540 + 3600 + 60.
  BOOST_TEST(!r.Check(hour, 1, kT0 + 3540 + 3660 - 1).fits);
  BOOST_TEST(r.Check(hour, 1, kT0 + 3540 + 3660).fits);
  LimitCheck c = r.Check(hour, 1, kT0 + 3600);
  BOOST_TEST(c.used == 10);
  BOOST_TEST(c.retry_after_seconds == kT0 + 3540 + 3660);
}

BOOST_AUTO_TEST_CASE(quota_record_events_count_at_least_one_window) {
  WindowLimit w = Limit(Metric::kMessages, 100, 60, 10);
  for (int64_t offset = 0; offset < 10; ++offset) {
    SubjectRecord r;
    r.AddCommitted({w}, Messages(1), kT0 + offset);
    BOOST_TEST(r.Committed(w, kT0 + offset + 59) == 1);  // at least the window
    BOOST_TEST(r.Committed(w, kT0 + 70) == 0);           // at most window + resolution
  }
}

BOOST_AUTO_TEST_CASE(quota_record_retry_after_frees_oldest_buckets_first) {
  WindowLimit w = Limit(Metric::kMessages, 5, 600, 10);
  SubjectRecord r;
  r.AddCommitted({w}, Messages(2), kT0);        // bucket kT0
  r.AddCommitted({w}, Messages(3), kT0 + 100);  // bucket kT0+100
  LimitCheck one = r.Check(w, 1, kT0 + 200);
  BOOST_TEST(!one.fits);
  BOOST_TEST(one.retry_after_seconds == kT0 + 610);  // first bucket frees 2
  LimitCheck three = r.Check(w, 3, kT0 + 200);
  BOOST_TEST(three.retry_after_seconds == kT0 + 710);  // needs the second bucket too
  BOOST_TEST(r.Check(w, 1, kT0 + 610).fits);
}

BOOST_AUTO_TEST_CASE(quota_record_pending_counts_until_deadline) {
  WindowLimit w = Limit(Metric::kRecipients, 3, 3600, 60);
  SubjectRecord r;
  Amounts two;
  two.recipients = 2;
  r.AddPending(7, two, kT0 + 100);
  BOOST_TEST(r.Pending(Metric::kRecipients, kT0) == 2);
  BOOST_TEST(r.Check(w, 1, kT0).fits);
  BOOST_TEST(!r.Check(w, 2, kT0).fits);
  BOOST_TEST(r.Check(w, 3, kT0 + 100).fits);  // the reservation has expired
  r.RemovePending(7);
  BOOST_TEST(r.Pending(Metric::kRecipients, kT0) == 0);
}

BOOST_AUTO_TEST_CASE(quota_record_prune_bounds_memory) {
  WindowLimit w = Limit(Metric::kMessages, 1000, 3600, 60);
  SubjectRecord r;
  for (int64_t t = 0; t < 3 * 86400; t += 30) {
    r.AddCommitted({w}, Messages(1), kT0 + t);
    r.Prune(kT0 + t);
  }
  BOOST_TEST(r.series().size() == 1u);
  BOOST_TEST(r.series()[0].buckets.size() <= 62u);
  r.AddPending(1, Messages(1), kT0 + 10);
  r.Prune(kT0 + 4 * 86400);
  BOOST_TEST(r.Empty());
}

BOOST_AUTO_TEST_CASE(quota_record_encoding_round_trips) {
  WindowLimit a = Limit(Metric::kMessages, 10, 3600, 60);
  WindowLimit b = Limit(Metric::kBytes, 1 << 20, 86400, 1440);
  SubjectRecord r;
  Amounts amounts;
  amounts.messages = 1;
  amounts.bytes = 5000;
  r.AddCommitted({a, b}, amounts, kT0);
  r.AddPending(42, amounts, kT0 + 1800);
  std::string bytes = r.Encode();
  auto decoded = SubjectRecord::Decode(bytes.data(), bytes.size());
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded->Committed(a, kT0) == 1);
  BOOST_TEST(decoded->Committed(b, kT0) == 5000);
  BOOST_TEST(decoded->Pending(Metric::kBytes, kT0) == 5000);
  BOOST_TEST(decoded->Encode() == bytes);
  auto expires = SubjectRecord::DecodeExpiresAt(bytes.data(), bytes.size());
  BOOST_REQUIRE(expires.ok());
  BOOST_TEST(*expires == r.ExpiresAt());
}

BOOST_AUTO_TEST_CASE(quota_record_rejects_corrupt_bytes) {
  SubjectRecord r;
  r.AddCommitted({Limit(Metric::kMessages, 1, 60, 1)}, Messages(1), kT0);
  std::string bytes = r.Encode();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    BOOST_TEST(!SubjectRecord::Decode(bytes.data(), cut).ok());
  }
  std::string bad = bytes;
  bad[0] ^= 1;
  BOOST_TEST(!SubjectRecord::Decode(bad.data(), bad.size()).ok());
  std::string trailing = bytes + "x";
  BOOST_TEST(!SubjectRecord::Decode(trailing.data(), trailing.size()).ok());
}

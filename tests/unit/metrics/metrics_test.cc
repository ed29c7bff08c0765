// Tests for metrics/: the catalog's bounded labels, the shared segment
// summed across processes and retirements, and the text exposition.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "metrics/catalog.h"
#include "metrics/exposition.h"
#include "metrics/metrics.h"
#include "metrics/segment.h"

namespace sendguard::metrics {
namespace {

uint64_t At(const Values& v, Family f, std::initializer_list<std::string_view> labels) { return v[IndexOf(f, labels)]; }

// Forks a child that records `n` messages into `slot` and exits.
void CountInChild(Segment* seg, int slot, int n) {
  pid_t pid = fork();
  if (pid == 0) {
    seg->RestrictTo(slot);
    UseSlot(seg->Slot(slot));
    for (int i = 0; i < n; ++i) Count(Family::kMessages, {"accept"});
    Observe(Family::kStageSeconds, 3000, {"content"});
    AddGauge(Family::kOpenConnections, 2);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
}

BOOST_AUTO_TEST_CASE(catalog_is_in_family_order) {
  for (size_t i = 0; i < Catalog().size(); ++i) BOOST_CHECK(static_cast<size_t>(Catalog()[i].family) == i);
  BOOST_CHECK_EQUAL(Catalog().size(), static_cast<size_t>(Family::kCount_));
}

BOOST_AUTO_TEST_CASE(unknown_label_values_count_as_other) {
  BOOST_CHECK(IndexOf(Family::kMessages, {"alice@example.org"}) == IndexOf(Family::kMessages, {"other"}));
  BOOST_CHECK(IndexOf(Family::kMessages, {"reject"}) != IndexOf(Family::kMessages, {"other"}));
  BOOST_CHECK(IndexOf(Family::kCheckOutcomes, {"spf", "weird"}) == IndexOf(Family::kCheckOutcomes, {"spf", "other"}));
  BOOST_CHECK(IndexOf(Family::kCheckOutcomes, {"spf", "weird"}) != IndexOf(Family::kCheckOutcomes, {"dkim", "other"}));
}

BOOST_AUTO_TEST_CASE(sum_covers_live_and_retired_children) {
  auto seg = Segment::Create(4);
  BOOST_REQUIRE(seg.ok());
  int a = (*seg)->Acquire(), b = (*seg)->Acquire();
  BOOST_REQUIRE(a > kParentSlot && b > kParentSlot && a != b);
  CountInChild(seg->get(), a, 3);
  CountInChild(seg->get(), b, 4);
  Values live = (*seg)->Sum();
  BOOST_CHECK_EQUAL(At(live, Family::kMessages, {"accept"}), 7u);
  BOOST_CHECK_EQUAL(static_cast<int64_t>(At(live, Family::kOpenConnections, {})), 4);
  (*seg)->Retire(a);
  int c = (*seg)->Acquire();
  BOOST_CHECK_EQUAL(c, a);  // reused, and empty
  CountInChild(seg->get(), c, 1);
  Values after = (*seg)->Sum();
  BOOST_CHECK_EQUAL(At(after, Family::kMessages, {"accept"}), 8u);  // nothing lost, nothing twice
  BOOST_CHECK_EQUAL(static_cast<int64_t>(At(after, Family::kOpenConnections, {})), 4);  // a's 2 gone, c's 2
  size_t content = IndexOf(Family::kStageSeconds, {"content"});
  BOOST_CHECK_EQUAL(after[content + 3], 3u);            // 3 ms: the 2.5-5 ms bucket
  BOOST_CHECK_EQUAL(after[content + kBuckets + 1], 9000u);  // sum in microseconds
}

BOOST_AUTO_TEST_CASE(slots_run_out_cleanly) {
  auto seg = Segment::Create(1);
  BOOST_REQUIRE(seg.ok());
  BOOST_CHECK((*seg)->Acquire() > kParentSlot);
  BOOST_CHECK_EQUAL((*seg)->Acquire(), -1);
}

BOOST_AUTO_TEST_CASE(exposition_has_cumulative_buckets_and_seconds) {
  Values v(TheLayout().size);
  size_t h = IndexOf(Family::kDecisionSeconds, {});
  v[h + 0] = 2;           // <= 0.5 ms
  v[h + kBuckets] = 1;    // > 10 s
  v[h + kBuckets + 1] = 12500000;
  v[IndexOf(Family::kMessages, {"reject"})] = 5;
  std::string text = RenderPrometheus(v);
  BOOST_CHECK(text.find("sendguard_messages_total{action=\"reject\"} 5\n") != std::string::npos);
  BOOST_CHECK(text.find("# TYPE sendguard_messages_total counter\n") != std::string::npos);
  BOOST_CHECK(text.find("sendguard_decision_duration_seconds_bucket{le=\"0.0005\"} 2\n") != std::string::npos);
  BOOST_CHECK(text.find("sendguard_decision_duration_seconds_bucket{le=\"10\"} 2\n") != std::string::npos);
  BOOST_CHECK(text.find("sendguard_decision_duration_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  BOOST_CHECK(text.find("sendguard_decision_duration_seconds_sum 12.500000\n") != std::string::npos);
  BOOST_CHECK(text.find("sendguard_build_info{version=") != std::string::npos);
}

}  // namespace
}  // namespace sendguard::metrics

// tests/unit/runtime_bed.h — the daemon's snapshot and runtime (real
// embedded store) opened from a config dir a test writes, on a manual
// clock. A fixture writes sendguard.conf (and its policy files) under `dir`,
// then calls Open(); failures stop the test with the loader's message.
#ifndef SENDGUARD_TESTS_UNIT_RUNTIME_BED_H_
#define SENDGUARD_TESTS_UNIT_RUNTIME_BED_H_

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include "core/clock.h"
#include "session/runtime.h"
#include "session/snapshot.h"
#include "temp_dir.h"

namespace sendguard {
namespace test {

struct RuntimeBed {
  void Open() {
    auto snap = LoadSnapshot(dir + "/sendguard.conf");
    BOOST_REQUIRE_MESSAGE(snap.ok(), snap.status().ToString());
    holder = std::make_unique<SnapshotHolder>(*snap);
    auto rt = OpenRuntime((*snap)->config);
    BOOST_REQUIRE_MESSAGE(rt.ok(), rt.status().ToString());
    runtime = std::move(rt).value();
    runtime->clock = &clock;
  }

  // What `subject` (e.g. "u:alice@example.org") has used of a window of `limit`.
  int64_t Used(const std::string& subject, quota::Metric metric, int64_t limit) {
    quota::WindowLimit w;
    w.metric = metric;
    w.limit = limit;
    auto usage = runtime->quota_store->Read({subject, {w}}, clock.NowSeconds());
    return usage.ok() ? (*usage)[0].committed + (*usage)[0].pending : -1;
  }

  TempDir tmp;  // declared first: outlives the store opened in it
  std::string dir = tmp.path();
  ManualClock clock;  // 2023-11-14 22:13:20 UTC
  std::unique_ptr<SnapshotHolder> holder;
  std::unique_ptr<Runtime> runtime;
};

}  // namespace test
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_UNIT_RUNTIME_BED_H_

// Helpers shared by the quota and redisquota unit tests: a temporary
// directory that removes itself, a policy parsed from text, and store
// requests in one line.
#ifndef SENDGUARD_TESTS_UNIT_QUOTA_QUOTA_TEST_UTIL_H_
#define SENDGUARD_TESTS_UNIT_QUOTA_QUOTA_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include "../temp_dir.h"
#include "quota/limits.h"
#include "quota/message_quota.h"
#include "quota/quota_policy.h"
#include "quota/quota_store.h"

namespace sendguard {
namespace quota {

// Printers so that BOOST_TEST can show enum values.
inline std::ostream& operator<<(std::ostream& o, QuotaVerdict v) { return o << VerdictName(v); }
inline std::ostream& operator<<(std::ostream& o, OverQuotaAction a) { return o << ActionName(a); }
inline std::ostream& operator<<(std::ostream& o, Metric m) { return o << MetricName(m); }
namespace testing {

using TempDir = ::sendguard::test::TempDir;

inline std::shared_ptr<const QuotaPolicy> MustParse(const std::string& text) {
  auto policy = QuotaPolicy::Parse(text, "test.conf");
  if (!policy.ok()) throw std::runtime_error(policy.status().ToString());
  return *policy;
}

constexpr int64_t kNow = 1700000000;

inline WindowLimit Limit(Metric m, int64_t limit, int64_t window = 3600) {
  WindowLimit w;
  w.metric = m;
  w.limit = limit;
  w.window_seconds = window;
  w.resolution_seconds = DefaultResolution(window);
  return w;
}

inline WindowLimit Messages(int64_t limit, int64_t window = 3600) {
  return Limit(Metric::kMessages, limit, window);
}

// One message with one recipient for `subject`, under a message limit.
inline ReserveRequest OneMessage(uint64_t id, const std::string& subject, int64_t limit,
                                 int64_t now = kNow) {
  ReserveRequest r;
  r.id = id;
  r.subjects = {{subject, {Messages(limit)}}};
  r.delta.messages = 1;
  r.delta.recipients = 1;
  r.now_seconds = now;
  r.deadline_seconds = now + 600;
  return r;
}

inline CommitRequest CommitOf(const ReserveRequest& r) {
  return {r.id, r.subjects, r.delta, r.now_seconds};
}

}  // namespace testing
}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_UNIT_QUOTA_QUOTA_TEST_UTIL_H_

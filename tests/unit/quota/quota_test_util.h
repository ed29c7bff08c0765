// Helpers shared by the quota unit tests: a temporary directory that removes
// itself, and a policy parsed from text.
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

}  // namespace testing
}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_UNIT_QUOTA_QUOTA_TEST_UTIL_H_

// milterclient/case_runner.h — the little runner of the protocol and client
// tests: named cases returning a Status, one "ok   NAME" / "FAIL NAME: why"
// line each, then "N passed, N failed" (what tests/protocol/run.sh adds up).
// Header-only; single-threaded.
#ifndef SENDGUARD_TESTS_MILTERCLIENT_CASE_RUNNER_H_
#define SENDGUARD_TESTS_MILTERCLIENT_CASE_RUNNER_H_

#include <cstdio>
#include <functional>
#include <vector>

#include "core/status.h"

namespace sendguard {
namespace milterclient {

struct Case {
  const char* name;
  std::function<Status()> run;
};

// Runs every case in order; the process exit status: 0 when all passed.
inline int RunCases(const std::vector<Case>& cases) {
  int passed = 0, failed = 0;
  for (const Case& c : cases) {
    Status s = c.run();
    if (s.ok()) { ++passed; std::printf("ok   %s\n", c.name); }
    else { ++failed; std::printf("FAIL %s: %s\n", c.name, s.ToString().c_str()); }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace milterclient
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_MILTERCLIENT_CASE_RUNNER_H_

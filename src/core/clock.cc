// core/clock.cc — SystemClock over clock_gettime(CLOCK_REALTIME); SteadyNowMicros over
// CLOCK_MONOTONIC (what std::chrono::steady_clock reads on Linux).
#include "core/clock.h"

#include <time.h>

namespace sendguard {

int64_t SteadyNowMicros() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

int64_t SystemClock::NowMicros() const {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace sendguard

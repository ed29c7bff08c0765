// core/clock.h — the only way sendguard logic learns the time.
//
// Contract: logic takes a `const Clock&` and never calls time() itself, so
// windows and expiries are testable without sleeping. SystemClock reads the
// real wall clock; ManualClock is set by tests.
// Thread-safety: SystemClock is stateless; ManualClock is atomic.
#ifndef SENDGUARD_CORE_CLOCK_H_
#define SENDGUARD_CORE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace sendguard {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch.
  virtual int64_t NowMicros() const = 0;
  int64_t NowSeconds() const { return NowMicros() / 1000000; }
};

// steady_clock now, in microseconds: for deadlines and timeouts, never for
// windows (those take a Clock).
int64_t SteadyNowMicros();

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  static const SystemClock& Instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t micros = 1700000000LL * 1000000) : now_(micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  void SetMicros(int64_t m) { now_.store(m); }
  void AdvanceSeconds(int64_t s) { now_.fetch_add(s * 1000000); }
  void AdvanceMicros(int64_t m) { now_.fetch_add(m); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace sendguard

#endif  // SENDGUARD_CORE_CLOCK_H_

// metrics/metrics.h — recording a metric from anywhere in a process.
//
// Contract: every call writes to this process's slot: by default a private
// one (tests, command-line tools: nothing is exported), in the daemon the
// slot of the shared segment the parent gave the process (UseSlot). Label
// values outside the catalog count as "other". Recording never fails and
// never blocks (relaxed atomic adds).
// Thread-safety: any thread. Call UseSlot before starting threads.
#ifndef SENDGUARD_METRICS_METRICS_H_
#define SENDGUARD_METRICS_METRICS_H_

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "metrics/catalog.h"

namespace sendguard::metrics {

void UseSlot(std::atomic<uint64_t>* slot);
std::atomic<uint64_t>* CurrentSlot();

void Count(Family f, std::initializer_list<std::string_view> labels = {}, uint64_t n = 1);
void AddGauge(Family f, int64_t delta);
void SetGauge(Family f, int64_t value);
void Observe(Family f, int64_t micros, std::initializer_list<std::string_view> labels = {});

// Observes the time from construction to destruction.
class ScopedTimer {
 public:
  explicit ScopedTimer(Family f, std::string_view label = {});
  ~ScopedTimer();
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  const Family family_;
  const std::string_view label_;
  const int64_t start_us_;
};

}  // namespace sendguard::metrics

#endif  // SENDGUARD_METRICS_METRICS_H_

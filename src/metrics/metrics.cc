// metrics/metrics.cc — the process's slot and the recording calls.
#include "metrics/metrics.h"

#include <memory>

#include "core/clock.h"

namespace sendguard::metrics {
namespace {

std::atomic<uint64_t>* PrivateSlot() {
  static std::unique_ptr<std::atomic<uint64_t>[]> slot(new std::atomic<uint64_t>[TheLayout().size]());
  return slot.get();
}

std::atomic<std::atomic<uint64_t>*> g_slot{nullptr};

size_t BucketOf(int64_t micros) {
  double seconds = static_cast<double>(micros) / 1e6;
  size_t b = 0;
  while (b < kBuckets && seconds > kBucketBounds[b]) ++b;
  return b;
}

}  // namespace

void UseSlot(std::atomic<uint64_t>* slot) { g_slot.store(slot, std::memory_order_release); }

std::atomic<uint64_t>* CurrentSlot() {
  std::atomic<uint64_t>* s = g_slot.load(std::memory_order_acquire);
  return s ? s : PrivateSlot();
}

void Count(Family f, std::initializer_list<std::string_view> labels, uint64_t n) {
  CurrentSlot()[IndexOf(f, labels)].fetch_add(n, std::memory_order_relaxed);
}

void AddGauge(Family f, int64_t delta) {
  CurrentSlot()[IndexOf(f, {})].fetch_add(static_cast<uint64_t>(delta), std::memory_order_relaxed);
}

void SetGauge(Family f, int64_t value) {
  CurrentSlot()[IndexOf(f, {})].store(static_cast<uint64_t>(value), std::memory_order_relaxed);
}

void Observe(Family f, int64_t micros, std::initializer_list<std::string_view> labels) {
  if (micros < 0) micros = 0;
  std::atomic<uint64_t>* at = CurrentSlot() + IndexOf(f, labels);
  at[BucketOf(micros)].fetch_add(1, std::memory_order_relaxed);
  at[kBuckets + 1].fetch_add(static_cast<uint64_t>(micros), std::memory_order_relaxed);
}

ScopedTimer::ScopedTimer(Family f, std::string_view label)
    : family_(f), label_(label), start_us_(SteadyNowMicros()) {}

ScopedTimer::~ScopedTimer() {
  int64_t elapsed = SteadyNowMicros() - start_us_;
  if (label_.empty()) Observe(family_, elapsed);
  else Observe(family_, elapsed, {label_});
}

}  // namespace sendguard::metrics

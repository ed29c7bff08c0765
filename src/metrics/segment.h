// metrics/segment.h — the counters of every sendguard process in one
// shared-memory segment, so that one scrape sees the whole daemon whatever
// the number of workers and across their restarts.
//
// Contract: the parent creates the segment before it forks (Create), so
// every child maps the same pages. Slot 0 holds what retired processes
// counted, slot 1 the parent's own metrics, slots 2.. one live child each.
// The parent hands a child a slot (Acquire) before forking it; when the
// child has exited, Retire() folds its counters and histograms into slot 0
// and frees the slot (gauges of a dead process are dropped). A worker
// restricts its mapping to its own slot (RestrictTo: the other pages become
// inaccessible), a reader to read-only (MakeReadOnly). Sum() combines every
// slot consistently with a concurrent Retire (a sequence counter the parent
// bumps around each fold; readers retry).
// Thread-safety: Acquire/Retire: the parent's thread only. Slot writes are
// relaxed atomics (any thread). Sum() from any process and thread.
#ifndef SENDGUARD_METRICS_SEGMENT_H_
#define SENDGUARD_METRICS_SEGMENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/status.h"

namespace sendguard::metrics {

constexpr int kRetiredSlot = 0;
constexpr int kParentSlot = 1;

using Values = std::vector<uint64_t>;  // one per place of the layout (catalog.h)

class Segment {
 public:
  // Room for `children` live children at once (workers of two generations
  // during a reload, the HTTP server, ...).
  static Result<std::unique_ptr<Segment>> Create(int children);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  int Acquire();          // a free child slot, or -1 when all are taken
  void Retire(int slot);  // the child of `slot` has exited
  std::atomic<uint64_t>* Slot(int slot) const;

  void RestrictTo(int slot);  // in the child that owns `slot`
  void MakeReadOnly();        // in a reader

  Values Sum() const;

 private:
  Segment(void* base, size_t bytes, int slots);
  size_t SlotBytes() const;
  std::atomic<uint64_t>* Sequence() const;

  void* const base_;
  const size_t bytes_;
  const int slots_;
  std::vector<bool> used_;  // the parent's view
};

}  // namespace sendguard::metrics

#endif  // SENDGUARD_METRICS_SEGMENT_H_

// metrics/segment.cc — an anonymous shared mapping: one header page (the
// fold sequence), then one page-aligned slot per process.
#include "metrics/segment.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "metrics/catalog.h"

namespace sendguard::metrics {
namespace {

size_t PageSize() {
  long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<size_t>(p) : 4096;
}

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

bool Combines(const FamilySpec& f) { return f.kind != Kind::kGauge; }

// Which places of a slot are gauges merged by max (the rest add up).
const std::vector<char>& MaxPlaces() {
  static const std::vector<char> places = [] {
    std::vector<char> v(TheLayout().size, 0);
    for (const FamilySpec& f : Catalog()) {
      if (f.kind != Kind::kGauge || f.merge != Merge::kMax) continue;
      size_t base = TheLayout().base[static_cast<size_t>(f.family)];
      for (size_t i = 0; i < Width(f); ++i) v[base + i] = 1;
    }
    return v;
  }();
  return places;
}

}  // namespace

Result<std::unique_ptr<Segment>> Segment::Create(int children) {
  int slots = children + 2;
  size_t slot_bytes = RoundUp(TheLayout().size * sizeof(uint64_t), PageSize());
  size_t bytes = PageSize() + slot_bytes * slots;
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return Status::IoError(std::string("metrics: mmap: ") + strerror(errno));
  return std::unique_ptr<Segment>(new Segment(base, bytes, slots));
}

Segment::Segment(void* base, size_t bytes, int slots) : base_(base), bytes_(bytes), slots_(slots), used_(slots) {
  used_[kRetiredSlot] = used_[kParentSlot] = true;
}

Segment::~Segment() { munmap(base_, bytes_); }

size_t Segment::SlotBytes() const { return RoundUp(TheLayout().size * sizeof(uint64_t), PageSize()); }

std::atomic<uint64_t>* Segment::Sequence() const { return static_cast<std::atomic<uint64_t>*>(base_); }

std::atomic<uint64_t>* Segment::Slot(int slot) const {
  char* p = static_cast<char*>(base_) + PageSize() + SlotBytes() * static_cast<size_t>(slot);
  return reinterpret_cast<std::atomic<uint64_t>*>(p);
}

int Segment::Acquire() {
  for (int i = kParentSlot + 1; i < slots_; ++i) {
    if (used_[i]) continue;
    used_[i] = true;
    return i;
  }
  return -1;
}

void Segment::Retire(int slot) {
  if (slot <= kParentSlot || slot >= slots_ || !used_[slot]) return;
  std::atomic<uint64_t>* seq = Sequence();
  std::atomic<uint64_t>* from = Slot(slot);
  std::atomic<uint64_t>* into = Slot(kRetiredSlot);
  seq->fetch_add(1, std::memory_order_acq_rel);  // odd: a fold is under way
  for (const FamilySpec& f : Catalog()) {
    size_t base = TheLayout().base[static_cast<size_t>(f.family)];
    for (size_t i = base; i < base + Width(f); ++i) {
      if (Combines(f)) into[i].fetch_add(from[i].load(std::memory_order_relaxed), std::memory_order_relaxed);
    }
  }
  for (size_t i = 0; i < TheLayout().size; ++i) from[i].store(0, std::memory_order_relaxed);
  seq->fetch_add(1, std::memory_order_acq_rel);
  used_[slot] = false;
}

void Segment::RestrictTo(int slot) {
  mprotect(base_, bytes_, PROT_NONE);
  mprotect(Slot(slot), SlotBytes(), PROT_READ | PROT_WRITE);
}

void Segment::MakeReadOnly() { mprotect(base_, bytes_, PROT_READ); }

Values Segment::Sum() const {
  const std::vector<char>& max_places = MaxPlaces();
  Values out(TheLayout().size);
  for (;;) {
    uint64_t before = Sequence()->load(std::memory_order_acquire);
    if (before % 2 == 1) {
      std::this_thread::yield();
      continue;
    }
    std::fill(out.begin(), out.end(), 0);
    for (int s = 0; s < slots_; ++s) {
      const std::atomic<uint64_t>* slot = Slot(s);
      for (size_t i = 0; i < out.size(); ++i) {
        uint64_t v = slot[i].load(std::memory_order_relaxed);
        out[i] = max_places[i] ? std::max(out[i], v) : out[i] + v;
      }
    }
    if (Sequence()->load(std::memory_order_acquire) == before) return out;
  }
}

}  // namespace sendguard::metrics

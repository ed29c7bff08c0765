// metrics/rule_hits.cc — an anonymous shared mapping: the header (counters
// and the last load, all atomics), then the entries.
#include "metrics/rule_hits.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace sendguard::metrics {

struct RuleHitTable::Header {
  std::atomic<uint64_t> used;
  std::atomic<uint64_t> unregistered;
  std::atomic<uint64_t> sequence;  // odd while RecordLoad writes
  std::atomic<int64_t> at_s;
  std::atomic<uint64_t> flags;     // bit 0: ok, bit 1: at start
  std::atomic<uint64_t> version;
  std::atomic<int64_t> rules;
  std::atomic<uint64_t> error_len;
  std::atomic<uint64_t> error[kErrorBytes / 8];
};

struct RuleHitTable::Entry {
  std::atomic<uint64_t> hash;  // 0: empty
  std::atomic<uint64_t> hits;
  char name[kNameBytes];       // written before `hash` is published
};

namespace {

uint64_t HashOf(std::string_view s) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h == 0 ? 1 : h;
}

size_t PowerOfTwoAtLeast(size_t n) {
  size_t p = 16;
  while (p < n) p *= 2;
  return p;
}

bool SameName(const char* stored, std::string_view rule) {
  size_t n = std::min(rule.size(), RuleHitTable::kNameBytes - 1);
  return strncmp(stored, rule.data(), n) == 0 && stored[n] == '\0';
}

std::atomic<RuleHitTable*> g_table{nullptr};

}  // namespace

Result<std::unique_ptr<RuleHitTable>> RuleHitTable::Create(size_t entries) {
  entries = PowerOfTwoAtLeast(entries);
  size_t bytes = sizeof(Header) + sizeof(Entry) * entries;
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return Status::IoError(std::string("rule hits: mmap: ") + strerror(errno));
  return std::unique_ptr<RuleHitTable>(new RuleHitTable(base, bytes, entries));
}

RuleHitTable::RuleHitTable(void* base, size_t bytes, size_t entries) : base_(base), bytes_(bytes), entries_(entries) {}

RuleHitTable::~RuleHitTable() {
  RuleHitTable* self = this;
  g_table.compare_exchange_strong(self, nullptr);
  munmap(base_, bytes_);
}

RuleHitTable::Header* RuleHitTable::header() const { return static_cast<Header*>(base_); }

RuleHitTable::Entry* RuleHitTable::entry(size_t i) const {
  return reinterpret_cast<Entry*>(static_cast<char*>(base_) + sizeof(Header)) + i;
}

RuleHitTable::Entry* RuleHitTable::Find(uint64_t hash, std::string_view rule) const {
  for (size_t probe = 0, i = hash & (entries_ - 1); probe < entries_; ++probe, i = (i + 1) & (entries_ - 1)) {
    Entry* e = entry(i);
    uint64_t h = e->hash.load(std::memory_order_acquire);
    if (h == 0 || (h == hash && SameName(e->name, rule))) return e;
  }
  return nullptr;
}

size_t RuleHitTable::max_names() const { return entries_ / 4 * 3; }

size_t RuleHitTable::used() const { return header()->used.load(std::memory_order_relaxed); }

bool RuleHitTable::Register(std::string_view rule) {
  uint64_t hash = HashOf(rule);
  Entry* e = Find(hash, rule);
  if (e != nullptr && e->hash.load(std::memory_order_relaxed) != 0) return true;
  if (e == nullptr || used() >= max_names()) return false;
  size_t n = std::min(rule.size(), kNameBytes - 1);
  memcpy(e->name, rule.data(), n);
  e->name[n] = '\0';
  e->hash.store(hash, std::memory_order_release);
  header()->used.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void RuleHitTable::CountHit(std::string_view rule) {
  Entry* e = Find(HashOf(rule), rule);
  if (e != nullptr && e->hash.load(std::memory_order_relaxed) != 0) {
    e->hits.fetch_add(1, std::memory_order_relaxed);
  } else {
    header()->unregistered.fetch_add(1, std::memory_order_relaxed);
  }
}

bool RuleHitTable::Hits(std::string_view rule, uint64_t* hits) const {
  Entry* e = Find(HashOf(rule), rule);
  if (e == nullptr || e->hash.load(std::memory_order_relaxed) == 0) return false;
  *hits = e->hits.load(std::memory_order_relaxed);
  return true;
}

uint64_t RuleHitTable::Unregistered() const { return header()->unregistered.load(std::memory_order_relaxed); }

void RuleHitTable::RecordLoad(const RuleLoad& load) {
  Header* h = header();
  h->sequence.fetch_add(1, std::memory_order_acq_rel);  // odd: being written
  h->at_s.store(load.at_s, std::memory_order_relaxed);
  h->flags.store((load.ok ? 1u : 0u) | (load.at_start ? 2u : 0u), std::memory_order_relaxed);
  h->version.store(load.version, std::memory_order_relaxed);
  h->rules.store(load.rules, std::memory_order_relaxed);
  size_t len = std::min(load.error.size(), kErrorBytes);
  h->error_len.store(len, std::memory_order_relaxed);
  for (size_t w = 0; w * 8 < len; ++w) {
    uint64_t word = 0;
    memcpy(&word, load.error.data() + w * 8, std::min<size_t>(8, len - w * 8));
    h->error[w].store(word, std::memory_order_relaxed);
  }
  h->sequence.fetch_add(1, std::memory_order_release);
}

RuleLoad RuleHitTable::Load() const {
  const Header* h = header();
  for (;;) {
    uint64_t before = h->sequence.load(std::memory_order_acquire);
    if (before % 2 == 1) {
      std::this_thread::yield();
      continue;
    }
    RuleLoad out;
    out.at_s = h->at_s.load(std::memory_order_relaxed);
    uint64_t flags = h->flags.load(std::memory_order_relaxed);
    out.ok = (flags & 1) != 0 || out.at_s == 0;
    out.at_start = (flags & 2) != 0;
    out.version = h->version.load(std::memory_order_relaxed);
    out.rules = h->rules.load(std::memory_order_relaxed);
    size_t len = std::min<size_t>(h->error_len.load(std::memory_order_relaxed), kErrorBytes);
    out.error.resize(len);
    for (size_t w = 0; w * 8 < len; ++w) {
      uint64_t word = h->error[w].load(std::memory_order_relaxed);
      memcpy(&out.error[w * 8], &word, std::min<size_t>(8, len - w * 8));
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    if (h->sequence.load(std::memory_order_relaxed) == before) return out;
  }
}

void RuleHitTable::MakeReadOnly() { mprotect(base_, bytes_, PROT_READ); }

void UseRuleHits(RuleHitTable* table) { g_table.store(table, std::memory_order_release); }

void CountRuleHit(std::string_view rule) {
  RuleHitTable* t = g_table.load(std::memory_order_acquire);
  if (t != nullptr) t->CountHit(rule);
}

}  // namespace sendguard::metrics

// metrics/rule_hits.h — how many messages hit each content rule since the
// daemon started, summed over every process, and the result of the last
// rule load; for the console's rules page. Kept apart from the Prometheus
// catalog on purpose: one series per rule (thousands, and named by whoever
// writes rule files) would be an unbounded label.
//
// Contract: the parent creates the table before it forks (Create), so every
// child maps the same pages: a header (the last load's record) and a fixed
// number of entries (a power of two; open addressing, linear probing).
//   - Key: the rule's name (its 64-bit FNV-1a hash, with the first
//     kNameBytes-1 bytes kept for display and to tell hash twins apart). A
//     count belongs to a name, not to a rule-set version.
//   - Register(): the parent, for every rule of a rule set it loaded, before
//     it forks workers with that set. Entries are never removed: across a
//     reload a rule that stays keeps counting on, a new rule starts at 0, a
//     rule that is gone keeps its entry and count (shown again if it comes
//     back). So counts are "since the daemon started", whatever the reloads.
//   - Capacity: at most 3/4 of the entries are used (short probes). A name
//     that finds no room is not registered (Register returns false); hits
//     of names that are not registered add to Unregistered() instead, so
//     nothing is counted silently under another name and the page can say
//     how much it could not attribute. A restart empties the table.
//   - CountHit(): a worker, once per message per rule that hit (a rule
//     counted `multiple` times in one message is one hit).
//   - RecordLoad(): the parent, after each load of the rules (start, and
//     every reload, good or failed); Load() reads the last one.
// Thread/process-safety: Register and RecordLoad are for the parent's one
// thread only (the single inserter: an entry's name is written before its
// hash is published with a release store, and a probe stops at the first
// empty hash, so concurrent lookups never see half an entry). CountHit is a
// relaxed atomic add from any thread of any process. Hits() and Load() may
// run anywhere, concurrently with both (Load retries around a sequence
// counter the parent bumps before and after writing; every field is an
// atomic, so a torn read is only ever retried, never undefined).
#ifndef SENDGUARD_METRICS_RULE_HITS_H_
#define SENDGUARD_METRICS_RULE_HITS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sendguard::metrics {

// The outcome of one load of the rules.
struct RuleLoad {
  int64_t at_s = 0;          // wall clock; 0: no load recorded yet
  bool ok = true;
  bool at_start = false;     // the daemon's first load (not a reload)
  uint64_t version = 0;      // the rule set in use after this load
  int64_t rules = 0;         // rules in that set
  std::string error;         // !ok: why, naming file:line (cut at kErrorBytes)
};

class RuleHitTable {
 public:
  static constexpr size_t kNameBytes = 48;
  static constexpr size_t kErrorBytes = 2048;
  static constexpr size_t kDefaultEntries = 16384;  // 12288 names, 1 MiB

  // `entries` is rounded up to a power of two (at least 16).
  static Result<std::unique_ptr<RuleHitTable>> Create(size_t entries = kDefaultEntries);
  ~RuleHitTable();
  RuleHitTable(const RuleHitTable&) = delete;
  RuleHitTable& operator=(const RuleHitTable&) = delete;

  bool Register(std::string_view rule);  // false: the table is full
  void CountHit(std::string_view rule);
  // The rule's hits; false when the name is not registered.
  bool Hits(std::string_view rule, uint64_t* hits) const;
  uint64_t Unregistered() const;
  size_t used() const;
  size_t max_names() const;

  void RecordLoad(const RuleLoad& load);
  RuleLoad Load() const;

  void MakeReadOnly();  // in a reader process

 private:
  struct Header;
  struct Entry;
  RuleHitTable(void* base, size_t bytes, size_t entries);
  Header* header() const;
  Entry* entry(size_t i) const;
  // The entry holding `rule`, or (when absent) the empty entry ending its
  // probe; nullptr when the probe met neither.
  Entry* Find(uint64_t hash, std::string_view rule) const;

  void* const base_;
  const size_t bytes_;
  const size_t entries_;
};

// The table this process counts into (the daemon's workers inherit the
// parent's); null: hits are not counted (tests, command-line tools).
void UseRuleHits(RuleHitTable* table);
void CountRuleHit(std::string_view rule);

}  // namespace sendguard::metrics

#endif  // SENDGUARD_METRICS_RULE_HITS_H_

// rules/gram_filter.h — multi-literal search for the prefilter atoms, built
// for long atoms: a bitmap of hashed leading n-grams rejects almost every
// text position in a few instructions, and only positions whose n-gram may
// start an atom are compared with the atoms that start with it.
//
// Contract: build once from the atom list, then FindAll() any number of
// texts. Matching is ASCII case-insensitive (A-Z in the text match a-z in
// the atoms, as RE2's Latin-1 prefilter lowers them); every other byte must
// be equal. Reports exactly the atoms that occur (no false positives, no
// misses). The n-gram length is the shortest atom's length, capped at 8, so
// the filter is selective when atoms are long (the engine's default minimum
// is 7); with very short atoms prefer AhoCorasick (see UsefulFor()).
// Memory: a bitmap of 64 bits per atom (at least 1 Ki, at most 128 Ki bits)
// plus the atoms.
// Thread-safety: immutable after construction; FindAll is const and may run
// concurrently from many threads.
#ifndef SENDGUARD_RULES_GRAM_FILTER_H_
#define SENDGUARD_RULES_GRAM_FILTER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sendguard {
namespace rules {

class GramFilter {
 public:
  // True when every non-empty atom is at least `kMinUsefulGram` bytes long;
  // with shorter atoms most positions would pass the bitmap.
  static constexpr size_t kMinUsefulGram = 4;
  static bool UsefulFor(const std::vector<std::string>& atoms);

  // `atoms` must be lower case; empty atoms are ignored. Atom i is reported
  // as id i.
  explicit GramFilter(const std::vector<std::string>& atoms);

  // Appends the ids of atoms occurring in `text` to `found` (each id once;
  // `seen` is scratch space, resized and cleared here).
  void FindAll(std::string_view text, std::vector<int>* found,
               std::vector<uint8_t>* seen) const;

  size_t gram_len() const { return gram_len_; }

 private:
  static constexpr uint64_t kHashMultiplier = 0x9E3779B97F4A7C15ull;
  uint32_t Hash(uint64_t gram) const {
    return static_cast<uint32_t>((gram * kHashMultiplier) >> hash_shift_);
  }
  void VerifyAt(std::string_view text, size_t start, uint64_t gram, std::vector<int>* found,
                std::vector<uint8_t>* seen) const;

  size_t gram_len_ = 0;   // 0: no atoms
  uint64_t gram_mask_ = 0;
  int hash_shift_ = 64;   // 64 - log2(bitmap bits)
  std::vector<std::string> atoms_;
  std::vector<uint64_t> bitmap_;
  std::unordered_map<uint64_t, std::vector<int>> by_gram_;  // leading gram -> atom ids
};

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_GRAM_FILTER_H_

// rules/aho_corasick.h — multi-literal search used as the prefilter in front
// of the regexes when some atoms are too short for the n-gram filter
// (gram_filter.h, the default with long atoms): finds which of a fixed set of
// lower-case literals ("atoms") occur in a text, ASCII case-insensitively,
// in one pass.
//
// Contract: build once from the atom list, then FindAll() any number of texts.
// Matching is byte-wise; A-Z in the text match a-z in atoms. It may report
// an atom that is not present (digits are not told apart, nor are bytes
// other than letters and the space) but never misses one that is: a
// prefilter only has to be a superset. Memory is
// states x byte-classes x 4 bytes (a few MB for thousands of atoms).
// Thread-safety: immutable after construction; FindAll is const and may run
// concurrently from many threads.
#ifndef SENDGUARD_RULES_AHO_CORASICK_H_
#define SENDGUARD_RULES_AHO_CORASICK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sendguard {
namespace rules {

class AhoCorasick {
 public:
  // `atoms` must be lower case (as FilteredRE2 returns them); empty atoms
  // are ignored. Atom i is reported as id i.
  explicit AhoCorasick(const std::vector<std::string>& atoms);

  // Appends the ids of atoms occurring in `text` to `found` (each id once;
  // `seen` is scratch space, resized and cleared here).
  void FindAll(std::string_view text, std::vector<int>* found,
               std::vector<uint8_t>* seen) const;

  size_t num_states() const { return has_output_.size(); }
  int num_classes() const { return num_classes_; }

 private:
  void BuildClasses(const std::vector<std::string>& atoms);
  void BuildTrie(const std::vector<std::string>& atoms,
                 std::vector<std::vector<int32_t>>* out_lists);
  void RenumberBreadthFirst(std::vector<std::vector<int32_t>>* out_lists);
  void BuildFailureLinks(std::vector<std::vector<int32_t>>* out_lists);

  int num_atoms_ = 0;
  int num_classes_ = 0;
  uint8_t class_of_[256];               // byte -> class (see BuildClasses)
  std::vector<int32_t> delta_;          // state*num_classes_ + class -> state
  std::vector<uint8_t> has_output_;     // per state
  std::vector<uint32_t> output_begin_;  // per state, into outputs_
  std::vector<int32_t> outputs_;        // atom ids
};

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_AHO_CORASICK_H_

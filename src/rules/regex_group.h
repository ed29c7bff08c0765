// rules/regex_group.h — a group of regexes that run against the same text
// (one SpamAssassin target, or one header), compiled once and prefiltered so
// that only regexes that may match are run at all.
//
// Contract: Build() compiles every pattern (RE2 syntax, Latin-1 byte
// semantics, as Perl treats SpamAssassin rules) and reports each one that
// fails with RE2's reason; the others are still usable. A candidate finder
// names the regexes that may match a text, and RE2 alone decides whether
// each candidate matches, so results never depend on the finder. Build()
// keeps the fastest choice on a built-in sample (8 KB of mail text, or a
// header-like line for groups of short texts), or the one `hyperscan` forces:
//  - RE2 only: FilteredRE2 gives each regex its required literals
//    ("atoms"); one pass of GramFilter (or AhoCorasick when an atom is
//    shorter than 4 bytes) finds the atoms present, and regexes whose atom
//    condition holds are candidates; those with no usable literal run
//    together in RE2::Sets of up to 32 regexes each.
//  - Hyperscan: one Hyperscan pass in prefilter mode (hyperscan_prefilter.h)
//    names the candidates among the regexes it can approximate; the others
//    go through the RE2-only finder. In groups of more than 64 regexes
//    Hyperscan takes only those with a required literal and the literal-free
//    ones stay in the RE2::Set; such groups of short texts do not try it.
//  - none, for groups of up to 8 regexes: every regex runs on every text.
// Match() finds every regex that matches a text, with the matched text and,
// when asked, the number of non-overlapping matches. If the RE2::Set's DFA
// runs out of memory that is logged and its regexes are run one by one
// (never read as "no match"). A non-ok Status from Match() is an engine
// failure the caller must not ignore.
// Thread-safety: immutable after Build(); Match() may run concurrently.
#ifndef SENDGUARD_RULES_REGEX_GROUP_H_
#define SENDGUARD_RULES_REGEX_GROUP_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule_options.h"
#include "core/status.h"

namespace sendguard {
namespace rules {

struct RegexSpec {
  std::string pattern;  // RE2 syntax
  bool case_insensitive = false;
  int max_count = 1;    // >1: count up to this many matches
};

struct RegexGroupOptions {
  int min_atom_len = 7;                  // shorter required literals are not used
  int64_t set_max_mem = 32 << 20;        // DFA budget of the no-literal RE2::Set
  int64_t regex_max_mem = 2 << 20;       // budget of each single regex
  // Fault injection for tests: treat every RE2::Set match as "DFA out of
  // memory" (RE2 2022-06-01 rarely fails for real: its many-match DFA resets
  // its cache instead of bailing). Default false.
  bool inject_set_out_of_memory = false;
  HyperscanUse hyperscan = HyperscanUse::kIfFaster;
  // The group scans short texts (header values, URIs): calibrate on a short
  // line instead of 8 KB of mail text.
  bool short_texts = false;
};

struct GroupMatch {
  int index;                 // position in the specs given to Build
  std::string_view matched;  // first match, a view into the scanned text
  int count;                 // >= 1
};

class RegexGroup {
 public:
  struct CompileError {
    int index;
    std::string reason;
  };

  static std::unique_ptr<RegexGroup> Build(const std::vector<RegexSpec>& specs,
                                           const RegexGroupOptions& options,
                                           std::vector<CompileError>* errors);
  ~RegexGroup();

  // Appends one GroupMatch per matching regex to `out`.
  Status Match(std::string_view text, std::vector<GroupMatch>* out) const;

  // Matches each of several short texts on its own (SpamAssassin's uri
  // target), prefiltering them in one pass. Patterns must not let a match
  // cross a '\n' (the texts are joined by '\n' for the prefilter; build the
  // group with "(?m)" patterns). out[i] gets the matches of texts[i].
  Status MatchEach(const std::vector<std::string>& texts,
                   std::vector<std::vector<GroupMatch>>* out) const;

  int num_regexes() const;
  int num_unfiltered() const;   // literal-free regexes in the RE2::Set
  int num_hyperscan() const;    // regexes Hyperscan prefilters
  // Times the RE2::Set ran out of DFA memory and the fallback ran.
  int64_t dfa_fallbacks() const { return dfa_fallbacks_.load(); }

  struct Impl;  // opaque

 private:
  class CandidateFinder;
  void ChooseFinder(const std::vector<RegexSpec>& specs, const RegexGroupOptions& options);
  double TimeMatch(const CandidateFinder* finder, bool short_texts) const;
  void AllIds(std::vector<int>* out) const;
  Status Candidates(std::string_view text, std::vector<int>* out) const;
  void Confirm(int id, std::string_view text, std::vector<GroupMatch>* out) const;
  explicit RegexGroup(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  mutable std::atomic<int64_t> dfa_fallbacks_{0};
};

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_REGEX_GROUP_H_

// rules/hyperscan_prefilter.h — one pass of Hyperscan over a text names the
// regexes of a group that may match it; RE2 then confirms only those.
//
// Contract: Build() takes RE2-syntax patterns (Latin-1 byte semantics, as
// RegexGroup compiles them) and compiles every one Hyperscan can approximate
// into one database in prefilter mode. Prefilter mode may report a regex
// that does not match (RE2 decides), never miss one that does: patterns
// where Hyperscan's reading could be narrower than RE2's (case folding of
// non-ASCII letters, Unicode classes, \C, constructs it rejects) are left
// out and reported as not accepted, for the caller to handle another way. Scan() sets
// `(*may_match)[i]` for each accepted pattern i that may occur in the text.
// A non-ok Status from Scan() is an engine failure, never "no match".
// Hyperscan (BSD, Debian libhyperscan-dev) is used only in this module. It
// is x86-64 only: built without it (its header absent),
// Available() is false and Build() accepts nothing.
// Thread-safety: immutable after Build(); Scan() may run concurrently (each
// call borrows a scratch space from a mutex-guarded pool).
#ifndef SENDGUARD_RULES_HYPERSCAN_PREFILTER_H_
#define SENDGUARD_RULES_HYPERSCAN_PREFILTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sendguard {
namespace rules {

class HyperscanPrefilter {
 public:
  struct Pattern {
    std::string re2_pattern;
    bool case_insensitive = false;
  };

  // Whether Hyperscan is built in and this CPU can run it.
  static bool Available();

  // Returns nullptr when no pattern was accepted (or Hyperscan is not
  // available); accepted[i] tells which patterns the database covers.
  static std::unique_ptr<HyperscanPrefilter> Build(const std::vector<Pattern>& patterns,
                                                   std::vector<uint8_t>* accepted);
  ~HyperscanPrefilter();
  HyperscanPrefilter(const HyperscanPrefilter&) = delete;
  HyperscanPrefilter& operator=(const HyperscanPrefilter&) = delete;

  // may_match must have one entry per pattern given to Build; entries of
  // patterns that may match are set to 1, the others are left as they were.
  Status Scan(std::string_view text, std::vector<uint8_t>* may_match) const;

  // Whether Hyperscan may approximate this pattern without missing a match
  // RE2 would find (see the contract above); exposed for tests.
  static bool SafeToApproximate(const Pattern& p);

 private:
  struct Impl;
  explicit HyperscanPrefilter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_HYPERSCAN_PREFILTER_H_

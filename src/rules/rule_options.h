// rules/rule_options.h — how rule files are loaded and compiled: the knobs the
// daemon's configuration sets for the rule engine.
//
// Contract: plain values, each field with its default; no dependency beyond
// the standard library, so the configuration can hold them without pulling
// in the engine. Thread-safety: plain data.
#ifndef SENDGUARD_RULES_RULE_OPTIONS_H_
#define SENDGUARD_RULES_RULE_OPTIONS_H_

#include <cstdint>

namespace sendguard {
namespace rules {

enum class HyperscanUse {
  kNever,     // always the RE2-only prefilter (the engine before Hyperscan)
  kIfFaster,  // the fastest choice on the calibration sample
  kAlways,    // the Hyperscan finder whenever Hyperscan takes any regex (for a
              // large group of short texts too)
};

// Which rules a scan computes. SpamAssassin never runs a rule whose score is
// 0 (Plugin/Check.pm: `if ($scoresptr->{$rulename})`; a meta sees it as 0);
// "__" rules and rules without a score line score 1 there (T_ rules 0.01).
enum class RunRules {
  kNeeded,   // rules that score, and the non-zero-score rules their metas use
  kNonZero,  // every rule SpamAssassin runs: score != 0 (every "__" rule too)
  kAll,      // every rule, score 0 too (for rule authors: scan --all, lint)
};

struct LoadOptions {
  // Unsupported or uncompilable rules are errors (Load fails). Default true:
  // the daemon refuses a shipped rule it cannot honour. Set false to load a
  // foreign corpus (SpamAssassin's) and just report what was left out.
  bool strict = true;
  // Prefilter literals shorter than this are ignored. Default 7 (measured
  // fastest on the SpamAssassin corpus: shorter literals are too common).
  int min_atom_len = 7;
  // DFA memory of each per-target RE2::Set of literal-free regexes.
  // Default 32 MiB. Running out is logged and handled, never "no match".
  int64_t set_max_mem = 32 << 20;
  // Whether a rule group's candidates come from Hyperscan or from the
  // RE2-only prefilter (see regex_group.h); results are the same either way.
  HyperscanUse hyperscan = HyperscanUse::kIfFaster;
  // What Scan() computes. Default kNeeded: the verdict is the same as with
  // kNonZero, and sub-rules nothing scoring uses are never compiled or run.
  RunRules run = RunRules::kNeeded;
};

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_RULE_OPTIONS_H_

// rules/rule_set.h — the content-rule engine: loads SpamAssassin-syntax rule
// files, compiles them once into an immutable RuleSet, and scans parsed
// messages against it.
//
// Contract: Load() reads files/directories (directories: *.cf in lexical
// order), translates Perl regexes to RE2 and groups them per target (body,
// rawbody, full, uri, each header) behind a literal prefilter. Rules that
// cannot be run are listed in the LoadReport with file:line and reason; with
// `strict` (the daemon's setting for its own rules) they are errors and Load
// fails, otherwise (e.g. linting a SpamAssassin tree) they are warnings and
// the rest loads. Scan() never throws; a non-ok Status (engine failure) means
// the message was NOT fully scanned and must be tempfailed, not accepted.
//
// Matching semantics (SpamAssassin's, approximated where noted):
//   body/rawbody: the whole text, ^ and $ match at line starts/ends;
//   full: the raw message as given; uri: each URI on its own;
//   header Name: the values of all occurrences joined by "\n" (:raw
//   undecoded, CRLF as LF; :addr the first address and :name the display
//   name of each); ALL: every header as "Name: value\n";
//   ToCc: To then Cc; MESSAGEID: X-Message-Id, Resent-Message-Id,
//   X-Original-Message-ID, Message-Id. A missing header is matched as ""
//   (as SpamAssassin does: /^\s*$/ hits it), unless [if-unset: text] gives
//   a value; a pseudo-header nobody supplied hits neither =~ nor !~.
//   meta: arithmetic/boolean over other rules (a rule's value is its hit
//   count, 0 or 1 unless `tflags multiple`). Rules named __* never score;
//   rules without a `score` line score 1 (T_* rules 0.01, `nice` negated);
//   a rule scored 0 is not run at all (LoadOptions::run), as in
//   SpamAssassin. `tflags multiple` scores once per match (maxhits=N).
//   mimeheader: the header in each MIME entity (see ScanMimeHeaders).
//   body rules see SpamAssassin's paragraphs (rules/body_text.h).
//
// Thread-safety: a loaded RuleSet is immutable; Scan() is const and may run
// concurrently on any number of threads. Share it as
// std::shared_ptr<const RuleSet> and swap the pointer atomically on reload.
#ifndef SENDGUARD_RULES_RULE_SET_H_
#define SENDGUARD_RULES_RULE_SET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "mime/parsed_message.h"
#include "rules/regex_group.h"
#include "rules/rule_options.h"
#include "rules/rule_def.h"

namespace sendguard {
namespace rules {

struct RuleHit {
  std::string name;
  double score = 0;      // contribution to the total (score x count)
  std::string matched;   // text matched by the regex (empty for meta/!~/exists)
  std::string describe;
  int count = 1;
};

struct ScanResult {
  double score = 0;
  std::vector<RuleHit> hits;      // scoring rules only, in rule-file order
  std::vector<RuleHit> subrules;  // non-scoring hits (__*, score 0), for --explain
};

// What an admin sees of one rule (the console's rules page): where it was
// defined and whether Scan() computes it.
struct RuleInfo {
  std::string name;
  Target target = Target::kBody;
  std::string header;    // header/mimeheader rules: the header (or ALL, ToCc, ...)
  double score = 0;      // what a hit adds (0 for __* rules)
  std::string describe;
  std::string file;
  int line = 0;
  std::string state;     // "runs", "not run (score 0)", "not run (unused)", or why it cannot run
};

class RuleSetBuilder;

class RuleSet {
 public:
  static Result<std::shared_ptr<const RuleSet>> Load(const std::vector<std::string>& paths,
                                                     const LoadOptions& options,
                                                     LoadReport* report);
  // Same, from already-parsed rules (used by Load, tests and fuzzing).
  static Result<std::shared_ptr<const RuleSet>> Compile(ParsedRules parsed,
                                                        const LoadOptions& options,
                                                        LoadReport* report);
  ~RuleSet();

  Status Scan(const mime::ParsedMessage& msg, ScanResult* out) const;

  int num_rules() const;
  // Every rule defined, in definition order.
  const std::vector<RuleInfo>& rule_infos() const;
  // The relay pseudo-headers (rules/relays.h) the rules that run read; the
  // caller computes only these (none: no Received parsing at all).
  const std::vector<std::string>& relay_headers_read() const;
  // The top-level domains the files name (`util_rb_tld`); the caller hands
  // them to mime::Parse so that text URLs are found as SpamAssassin finds them.
  const mime::TldList& tlds() const;
  // Sum over all regex groups of the DFA-out-of-memory fallbacks so far.
  int64_t dfa_fallbacks() const;

 private:
  struct Impl;
  friend class RuleSetBuilder;
  explicit RuleSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_RULE_SET_H_

// rules/rule_def.h — rules as read from *.cf files, before compilation, and
// the load report shown to rule authors.
//
// Contract: plain data shared by the parser (cf_parser.h) and the engine
// (rule_set.h). A RuleDef keeps the Perl regex literal as written; the
// engine translates and compiles it.
// Thread-safety: plain values; no shared state.
#ifndef SENDGUARD_RULES_RULE_DEF_H_
#define SENDGUARD_RULES_RULE_DEF_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mime/tld_list.h"
#include "rules/replace_tags.h"

namespace sendguard {
namespace rules {

enum class Target { kHeader, kBody, kRawBody, kUri, kFull, kMeta, kMimeHeader };
const char* TargetName(Target t);

// How a header rule sees the header value (SA's `Header:modifier`).
enum class HeaderView { kDecoded, kRaw, kAddr, kName };

struct RuleDef {
  std::string name;
  Target target = Target::kBody;
  std::string file;
  int line = 0;
  std::string regex;            // Perl literal, e.g. "/foo/i" (not for meta/exists)
  std::string re2_pattern;      // regex translated to RE2 syntax
  bool case_insensitive = false;
  std::string meta;             // meta expression
  std::string header;           // header rules: header name, "ALL", "ToCc", "MESSAGEID"
  HeaderView view = HeaderView::kDecoded;
  bool exists = false;          // `header X exists:Name`
  bool negated = false;         // `!~`
  bool has_if_unset = false;    // `[if-unset: value]`
  std::string if_unset;
  std::string unsupported_category;  // non-empty: cannot be run, and why
  std::string unsupported_reason;
  bool regex_untranslatable = false;  // the unsupported reason is the regex itself
  bool replaced_tags = false;         // ReplaceTags rewrote the regex
};

// Attributes set by separate lines (`score`, `describe`, `tflags`); they may
// come before or after the rule itself, in any file.
struct RuleAttrs {
  bool has_score = false;
  double score = 0;
  std::string describe;
  bool nice = false;
  bool multiple = false;
  int maxhits = 0;  // 0: unlimited (with `multiple`)
  bool nosubject = false;  // body rule: not run on the Subject line
};

enum class Severity { kWarning, kError };

struct Problem {
  std::string file;
  int line = 0;
  std::string rule;      // may be empty for file-level problems
  std::string reason;
  Severity severity = Severity::kWarning;
};

struct LoadReport {
  std::vector<Problem> problems;
  int loaded = 0;        // rules compiled and active (regex + meta)
  int total = 0;         // rules defined (regex + meta + eval)
  int regex_loaded = 0;  // header/body/rawbody/uri/full rules with a regex
  int regex_total = 0;
  std::map<std::string, int> unsupported_by_reason;  // category -> count
  // Every rule defined, in definition order: "loaded" or why not (the
  // category counted in unsupported_by_reason).
  std::vector<std::pair<std::string, std::string>> rule_states;
  // Loaded rules a scan does not compute (LoadOptions::run), and why:
  // "score 0" or "unused" (a sub-rule no scoring rule needs).
  std::vector<std::pair<std::string, std::string>> not_run;
  int errors() const;
};

// Everything read from the files, last definition of a name winning.
struct ParsedRules {
  std::vector<RuleDef> defs;              // in order of first definition
  std::map<std::string, size_t> index;    // name -> position in defs
  std::map<std::string, RuleAttrs> attrs;
  ReplaceTagConfig replace;               // replace_* lines, applied by Compile
  mime::TldList tlds;                     // util_rb_tld names (clear_util_rb empties)
  // Rules defined only inside `ifplugin`/`if` blocks that are false here
  // (name -> where and why), so that lint accounts for every rule written.
  struct Skipped {
    std::string file;
    int line = 0;
    std::string category;  // "plugin-not-loaded" or "condition-false"
    std::string reason;
  };
  std::map<std::string, Skipped> skipped;
  void Define(RuleDef def);
};

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_RULE_DEF_H_

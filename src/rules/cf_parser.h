// rules/cf_parser.h — reads SpamAssassin-syntax rule files (*.cf) into
// ParsedRules: rule definitions, scores, descriptions and tflags.
//
// Contract: the subset understood is `header`, `body`, `rawbody`, `uri`,
// `full`, `meta`, `mimeheader`, `score`, `describe`, `tflags`, the
// ReplaceTags settings (`replace_*`, applied by RuleSet::Compile), comments,
// and `ifplugin`/`if`/`else`/`endif` blocks (evaluated: sendguard behaves
// like SpamAssassin 4.0.1 with the plugins its default *.pre files load;
// rules only defined in false blocks are kept in ParsedRules::skipped with
// the reason, so lint counts them). Regexes are translated to RE2 syntax here; a rule that cannot be
// run (eval:, DNS lists, look-around, ...) is still defined, marked
// unsupported with a category and reason, so metas using it are reported too.
// A file is unusable (non-ok Status naming file:line) only for unreadable
// files and unbalanced or unparsable conditionals; other problems go into
// `report` and never stop the load.
// Thread-safety: stateless functions; callers own the outputs.
#ifndef SENDGUARD_RULES_CF_PARSER_H_
#define SENDGUARD_RULES_CF_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "rules/rule_def.h"

namespace sendguard {
namespace rules {

// Parses the text of one file; `file` is used in messages only.
Status ParseCfText(std::string_view text, const std::string& file,
                   ParsedRules* rules, LoadReport* report);

// Files and directories (a directory means its *.cf files in lexical order,
// like SpamAssassin); all are read into the same ParsedRules, in order.
Status ParseCfPaths(const std::vector<std::string>& paths, ParsedRules* rules,
                    LoadReport* report);

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_CF_PARSER_H_

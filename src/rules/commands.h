// rules/commands.h — the rule-author tools behind `sendguard lint` and
// `sendguard scan`; the cli module only forwards argv to these.
//
// Contract:
//   lint [--lenient] [--list] [PATH...]
//     Loads the rules exactly as the daemon does (strict unless --lenient;
//     PATH defaults to the configured rule paths), compiling every rule,
//     and prints one "file:line: RULE: reason" line per problem, with
//     --list one "RULE<TAB>loaded|category" line per rule, then
//     "loaded N of M rules (regex R of T); K unsupported: cat n, ...".
//     Exit 0 when there are no errors, 1 when there are, 2 when the files
//     themselves cannot be used (unreadable, unbalanced if/endif).
//   scan [--explain | --list] [--all | --run needed|nonzero|all] [--lenient]
//        [--rules PATH]... FILE.eml...
//     Parses FILE.eml with the MIME layer, scans it and prints the parts,
//     the decoded headers, each hit (score, rule, description, matched text),
//     the total and the action for the given thresholds. --explain adds the
//     decoded body, URIs, non-scoring sub-rule hits, MIME warnings and the
//     loaded rules that were not run, with why. --list takes several files
//     and prints one "FILE<TAB>total<TAB>hits<TAB>sub-rule hits" line each.
//     --run chooses what is computed (LoadOptions::run; default: what the
//     daemon runs, "needed"); --all is --run all.
//     Exit 0 on success, 2 on any error (never a partial verdict).
// Thread-safety: each call is independent; output goes to the given streams.
#ifndef SENDGUARD_RULES_COMMANDS_H_
#define SENDGUARD_RULES_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "mime/parser.h"
#include "policy/actions.h"
#include "rules/rule_set.h"

namespace sendguard {
namespace rules {

// Score -> action, as configured in the policy (defaults: 5 / 8 / 12).

struct CommandOptions {
  std::vector<std::string> default_rule_paths = {"rules"};  // when no PATH / --rules
  policy::Thresholds thresholds;   // of the "default" class
  mime::ScanLimits limits;
  LoadOptions load;  // strict by default, as in the daemon
};

int RunLintCommand(const std::vector<std::string>& args, const CommandOptions& options,
                   std::ostream& out, std::ostream& err);
int RunScanCommand(const std::vector<std::string>& args, const CommandOptions& options,
                   std::ostream& out, std::ostream& err);

// The lint summary line, e.g. "loaded 3 of 4 rules (regex 2 of 3); 1
// unsupported: eval 1".
std::string SummaryLine(const LoadReport& report);

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_COMMANDS_H_

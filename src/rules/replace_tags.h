// rules/replace_tags.h — SpamAssassin's ReplaceTags plugin (loaded by default
// from v320.pre): `replace_tag NAME re` and friends let a rule write <NAME>
// for a shared regex fragment; `replace_rules RULE...` names the rules whose
// regexes get their tags replaced once all files are read.
//
// Contract: the same rewriting as Mail::SpamAssassin::Plugin::ReplaceTags
// 4.0.1 (finish_parsing_end): `<pre NAME>`, `<post NAME>` and `<inter NAME>`
// are taken out of the regex; the regex is split at every `<...>`; the pre
// text goes before each tag, the post text after each, the inter text into
// every empty piece (between adjacent tags, and before a leading tag); each
// known tag is replaced by its value; up to 5 more passes while a value
// brings new tags. Unknown tags stay as written. replace_start/replace_end
// (default "<" and ">") delimit the tags. ApplyReplaceTags then translates
// each named rule's rewritten regex again (rules/perl_regex.h).
// Thread-safety: pure functions over the caller's data.
#ifndef SENDGUARD_RULES_REPLACE_TAGS_H_
#define SENDGUARD_RULES_REPLACE_TAGS_H_

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace sendguard {
namespace rules {

struct ReplaceTagConfig {
  std::string start = "<";
  std::string end = ">";
  std::map<std::string, std::string> tags, pre, inter, post;
  std::set<std::string> rules;  // replace_rules
};

// The regex body `re` with its tags replaced.
std::string ReplaceTagsIn(std::string_view re, const ReplaceTagConfig& config);

struct ParsedRules;
// Rewrites and re-translates every rule named by replace_rules.
void ApplyReplaceTags(ParsedRules* parsed);

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_REPLACE_TAGS_H_

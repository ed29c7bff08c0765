// rules/perl_regex.h — turns a SpamAssassin (Perl) regex literal such as
// `/foo\h+bar/i` or `m{x}s` into RE2 syntax, or says precisely why RE2 cannot
// express it.
//
// Contract: pure string work, no RE2. Perl-only escapes with an RE2
// equivalent are rewritten (\h \H \v \V \R \N \e \Z \z-style, named groups,
// (?#comments), the /x flag). Constructs RE2 cannot run in linear time
// (look-around, back-references, atomic/possessive, \G, recursion, code) are
// refused with a category for the lint summary and a human reason.
// Thread-safety: stateless functions.
#ifndef SENDGUARD_RULES_PERL_REGEX_H_
#define SENDGUARD_RULES_PERL_REGEX_H_

#include <string>
#include <string_view>

namespace sendguard {
namespace rules {

struct TranslatedRegex {
  std::string pattern;          // RE2 syntax, flags folded in as (?ms) prefix
  bool case_insensitive = false;  // the /i flag (pass to RE2::Options)
};

struct Unsupported {
  std::string category;  // short key for the lint summary, e.g. "look-around"
  std::string reason;    // human text, e.g. "look-ahead (?= at offset 12"
};

// Parses the delimiters and flags of `literal` and translates the body.
// Returns false and fills `why` when the regex cannot be used; category
// "syntax" means the literal itself is malformed.
bool TranslatePerlRegex(std::string_view literal, TranslatedRegex* out,
                        Unsupported* why);

// The two halves of TranslatePerlRegex, for callers that rewrite the body in
// between (ReplaceTags): `/body/flags` or `m{body}flags` split, and a body
// with its flags translated.
bool SplitPerlRegex(std::string_view literal, std::string_view* body, std::string_view* flags,
                    Unsupported* why);
bool TranslatePerlRegexBody(std::string_view body, std::string_view flags, TranslatedRegex* out,
                            Unsupported* why);

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_PERL_REGEX_H_

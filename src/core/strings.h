// core/strings.h — the small string helpers every module needs, written once.
//
// Contract: ASCII semantics throughout (mail protocol text: header names,
// domains, logins, config words); bytes >= 0x80 are left as they are, never
// case-mapped through the C locale. Pure functions.
// Thread-safety: stateless; call from any thread.
#ifndef SENDGUARD_CORE_STRINGS_H_
#define SENDGUARD_CORE_STRINGS_H_

#include <string>
#include <string_view>
#include <vector>

namespace sendguard {

// "Example.ORG" -> "example.org" (A-Z only).
std::string Lower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);

// Without leading and trailing ASCII white space (space, \t, \r, \n, \v, \f).
std::string_view Trim(std::string_view s);
// Without leading and trailing blanks (space and \t only).
std::string_view TrimBlanks(std::string_view s);

// Splits at runs of ASCII white space; no empty words.
std::vector<std::string> SplitWords(std::string_view s);
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

// `s` in double quotes with '"', '\\' and control characters (and DEL)
// escaped as \uXXXX, and bytes that are not UTF-8 replaced by \ufffd: a
// valid JSON string and a valid TOML basic string whatever `s` holds.
std::string Quoted(std::string_view s);

// The lower-cased domain of "local@Domain" (after the last '@'; "" if none).
std::string DomainOf(std::string_view address);
// A DNS name as compared: lower case, trailing dots removed.
std::string CanonicalDnsName(std::string_view name);

}  // namespace sendguard

#endif  // SENDGUARD_CORE_STRINGS_H_

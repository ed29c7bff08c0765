// abuse/record_text.h — the token form of strings in the abuse record's text
// (abuse/signals.h Encode): a token never holds a space or a newline;
// strings are written '=' + percent-escaped, so an empty string is "=".
//
// Contract: Unesc(Esc(s)) == s for every s; Unesc() of a token Esc() did not
// write returns false.
// Thread-safety: pure functions.
#ifndef SENDGUARD_ABUSE_RECORD_TEXT_H_
#define SENDGUARD_ABUSE_RECORD_TEXT_H_

#include <string>

namespace sendguard::abuse {

std::string Esc(const std::string& s);
bool Unesc(const std::string& token, std::string* out);

}  // namespace sendguard::abuse

#endif  // SENDGUARD_ABUSE_RECORD_TEXT_H_

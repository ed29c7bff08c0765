// mime/charset.h — converting text in a declared charset to UTF-8.
//
// Contract: ToUtf8 never fails. Known aliases (latin1, gb2312, shift_jis,
// ks_c_5601-1987, ...) are mapped to the superset a mail client would use;
// ISO-8859-1 and US-ASCII are read as windows-1252 (as browsers do). An
// unknown charset is read as windows-1252 and reported through *unknown.
// Bytes invalid in the charset become U+FFFD. The output is valid UTF-8.
// This file and charset.cc are the only users of glibc's iconv.
// Thread-safety: all functions are pure; each call opens its own converter.
#ifndef SENDGUARD_MIME_CHARSET_H_
#define SENDGUARD_MIME_CHARSET_H_

#include <string>
#include <string_view>

namespace sendguard {
namespace mime {

// Lower-cases and trims a declared charset name and maps aliases to the name
// this module converts from ("utf-8", "windows-1252", "gb18030", ...).
std::string CanonicalCharset(std::string_view declared);

// Appends `bytes`, read in `charset`, to *out as UTF-8. Sets *unknown (if
// non-null) to true when the charset is not known and latin1 was assumed.
void AppendAsUtf8(std::string_view bytes, std::string_view charset,
                  std::string* out, bool* unknown = nullptr);

// Convenience wrapper around AppendAsUtf8.
std::string ToUtf8(std::string_view bytes, std::string_view charset,
                   bool* unknown = nullptr);

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Appends `s` to *out with every invalid UTF-8 sequence replaced by U+FFFD.
void AppendSanitizedUtf8(std::string_view s, std::string* out);

// Appends the UTF-8 encoding of code point `cp` (U+FFFD if not a scalar value).
void AppendCodePoint(unsigned long cp, std::string* out);

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_CHARSET_H_

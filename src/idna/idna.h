// idna/idna.h — one spelling for every domain and mail address, however the
// admin or the client wrote it: domains in their IDNA A-label form (UTS #46
// non-transitional processing, libidn2), UTF-8 local parts in Unicode NFC
// (libunistring).
//
// Contract: CanonicalDomain("Exämple.ORG.") and
// CanonicalDomain("XN--EXMPLE-CUA.org") are both "xn--exmple-cua.org"; an
// ASCII domain is lower-cased with trailing dots removed; labels such as
// "_dmarc" pass. A name that is not valid IDNA is an InvalidArgument naming
// it and libidn2's reason, never a crash. CanonicalAddress keeps the local
// part's case (RFC 5321) and NFC-normalises it; CanonicalPattern does the
// same for the address patterns of policy files ("*@dom", "@dom", "*.dom",
// "dom", "user@dom", "*"). DisplayDomain gives the U-label form for people.
// These are the only files that include libidn2's and libunistring's headers.
// Thread-safety: pure functions; libidn2 and libunistring are reentrant.
#ifndef SENDGUARD_IDNA_IDNA_H_
#define SENDGUARD_IDNA_IDNA_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace sendguard::idna {

Result<std::string> CanonicalDomain(std::string_view domain);
Result<std::string> CanonicalAddress(std::string_view address);
Result<std::string> CanonicalPattern(std::string_view pattern);

// "xn--exmple-cua.org" -> "exämple.org"; the input when it has no U-label form.
std::string DisplayDomain(std::string_view domain);

// Unicode NFC of UTF-8 text; the input unchanged if it is not valid UTF-8.
std::string NormalizeNfc(std::string_view text);

}  // namespace sendguard::idna

#endif  // SENDGUARD_IDNA_IDNA_H_

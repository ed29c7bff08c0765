// mime/rfc2047.h — decoding header values: unfolding and RFC 2047
// encoded-words ("=?charset?B|Q?text?=") into UTF-8.
//
// Contract: never fails. Whitespace between adjacent encoded-words is dropped
// and adjacent words in the same charset are joined before conversion (so a
// multi-byte character split across two words survives). Encoded-words are
// recognised anywhere, also inside quotes or glued to text, as mail clients
// do. Raw 8-bit text outside encoded-words is kept if it is UTF-8, otherwise
// read as latin1. The result is valid UTF-8, trimmed, with folding removed.
// Thread-safety: pure functions.
#ifndef SENDGUARD_MIME_RFC2047_H_
#define SENDGUARD_MIME_RFC2047_H_

#include <string>
#include <string_view>

namespace sendguard {
namespace mime {

// Unfolds as SpamAssassin reads headers: a line break and the blanks after
// it become one space (CR dropped).
std::string UnfoldHeaderValue(std::string_view raw);

// Unfolds, decodes encoded-words, converts to UTF-8 and trims.
std::string DecodeHeaderValue(std::string_view raw);

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_RFC2047_H_

// mime/transfer_encoding.h — undoing Content-Transfer-Encoding (RFC 2045):
// base64 and quoted-printable, tolerant of what real mail contains.
//
// Contract: decoders never fail. Base64 skips every byte outside the
// alphabet (whitespace, garbage) and restarts after '=' padding, so
// concatenated or damaged blocks still decode as far as possible. QP removes
// soft line breaks ("=" before CRLF/LF, trailing blanks allowed) and keeps a
// malformed "=" escape literally. Each returns true if the input was clean,
// false if something was repaired (the caller turns that into a warning).
// Output is never longer than the input.
// Thread-safety: pure functions.
#ifndef SENDGUARD_MIME_TRANSFER_ENCODING_H_
#define SENDGUARD_MIME_TRANSFER_ENCODING_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace sendguard {
namespace mime {

bool DecodeBase64(std::string_view in, std::string* out);
bool DecodeQuotedPrintable(std::string_view in, std::string* out);

// RFC 2047 "Q" encoding: QP where '_' means a space and there are no lines.
void DecodeQEncoding(std::string_view in, std::string* out);

// Size of DecodeBase64(in) for well-formed input, computed without decoding
// (an estimate for damaged input). Used for parts that are never scanned.
size_t EstimateBase64DecodedSize(std::string_view in);

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_TRANSFER_ENCODING_H_

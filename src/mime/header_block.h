// mime/header_block.h — splitting a header block ("Name: value" lines with
// folding, then a blank line) and reading structured MIME header fields
// (Content-Type parameters, RFC 2231 continuations and charsets).
//
// Contract: never fails. Lines end in LF or CRLF. The block ends at the first
// blank line, or at the first line that is not a header (that line is where
// the body starts). Values are kept raw (folding and leading blank kept) and
// capped at max_value_bytes; at most max_headers are returned, the rest are
// skipped. Counters tell the caller what was repaired or dropped.
// Thread-safety: pure functions.
#ifndef SENDGUARD_MIME_HEADER_BLOCK_H_
#define SENDGUARD_MIME_HEADER_BLOCK_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"

namespace sendguard {
namespace mime {

struct RawHeader {
  std::string_view name;
  std::string_view value;  // raw, may be folded; capped at max_value_bytes
};

struct HeaderBlock {
  std::vector<RawHeader> headers;
  std::string_view body;         // everything after the block
  size_t values_capped = 0;      // values longer than max_value_bytes
  size_t headers_dropped = 0;    // headers beyond max_headers
  bool ended_without_blank = false;  // body began at a non-header line
};

HeaderBlock SplitHeaderBlock(std::string_view message, size_t max_headers,
                             size_t max_value_bytes);

// First header with this name (case-insensitive), or nullptr.
const RawHeader* FindHeader(const HeaderBlock& block, std::string_view name);

// A structured value like `text/plain; charset="utf-8"; name*=...`.
struct StructuredValue {
  std::string value;  // the part before the first ';', lower case, trimmed
  std::vector<std::pair<std::string, std::string>> params;  // names lower case
  std::string Param(std::string_view name) const;           // "" if absent
};

// Parses a Content-Type / Content-Disposition value. RFC 2231 extended
// parameters (name*=charset''%xx, name*0=..., name*1*=...) are joined and
// converted to UTF-8; RFC 2047 in quoted parameter values is decoded.
StructuredValue ParseStructuredValue(std::string_view raw);


}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_HEADER_BLOCK_H_

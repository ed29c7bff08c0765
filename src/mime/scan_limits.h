// mime/scan_limits.h — how much of a message the parser looks at.
//
// Contract: plain values, each field with its default; the bounds that keep
// parsing linear and memory bounded on hostile input (see parser.h).
// Thread-safety: plain data.
#ifndef SENDGUARD_MIME_SCAN_LIMITS_H_
#define SENDGUARD_MIME_SCAN_LIMITS_H_

#include <cstddef>

namespace sendguard {
namespace mime {

struct ScanLimits {
  // Raw bytes of the message looked at; the rest is not scanned (it is
  // still delivered). body and rawbody are each capped at this size too.
  size_t max_scan_bytes = 1024 * 1024;
  // MIME entities (containers and leaves) parsed; later ones are skipped.
  size_t max_parts = 1000;
  // Nesting of multipart / message/rfc822; deeper content is skipped.
  // Values above 100 are treated as 100 (recursion bound).
  size_t max_depth = 20;
  // Bytes kept of each header value (raw and decoded).
  size_t max_header_bytes = 16 * 1024;
  // Distinct URLs kept in `uris`.
  size_t max_uris = 1000;
  // Header fields kept per header block; later ones are skipped.
  size_t max_headers = 1000;
};

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_SCAN_LIMITS_H_

// mime/multipart.h — splitting a multipart body at its boundary lines
// (RFC 2046 section 5.1.1).
//
// Contract: never fails, linear time. A delimiter is "--boundary" at the
// start of a line followed only by blanks (an open delimiter) or by "--" (the
// close delimiter). Preamble and epilogue are dropped; the line break before
// a delimiter belongs to the delimiter. Without a close delimiter the last
// part runs to the end of the body and `closed` is false. At most max_parts
// children are returned; `more` tells whether others followed.
// Thread-safety: pure function.
#ifndef SENDGUARD_MIME_MULTIPART_H_
#define SENDGUARD_MIME_MULTIPART_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace sendguard {
namespace mime {

struct MultipartSplit {
  std::vector<std::string_view> parts;
  bool found_delimiter = false;  // at least one delimiter line
  bool closed = false;           // the close delimiter was seen
  bool more = false;             // parts beyond max_parts were not returned
};

MultipartSplit SplitMultipart(std::string_view body, std::string_view boundary,
                              size_t max_parts);

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_MULTIPART_H_

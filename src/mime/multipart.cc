// mime/multipart.cc — boundary scanning.
#include "mime/multipart.h"

#include <string>

namespace sendguard {
namespace mime {
namespace {

struct Delimiter {
  size_t begin = std::string_view::npos;  // start of the line break before it
  size_t next = 0;                         // start of the line after it
  bool close = false;
};

// Rest of the line at `pos` is only blanks; sets *next to the next line.
bool BlankToEndOfLine(std::string_view s, size_t pos, size_t* next) {
  for (size_t i = pos; i < s.size(); ++i) {
    if (s[i] == '\n') {
      *next = i + 1;
      return true;
    }
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
  }
  *next = s.size();
  return true;
}

size_t LineBreakStart(std::string_view s, size_t p) {
  if (p > 0 && s[p - 1] == '\n') --p;
  if (p > 0 && s[p - 1] == '\r') --p;
  return p;
}

Delimiter FindDelimiter(std::string_view s, const std::string& delim, size_t from) {
  Delimiter d;
  for (size_t p = s.find(delim, from); p != std::string_view::npos;
       p = s.find(delim, p + 1)) {
    if (p != 0 && s[p - 1] != '\n') continue;
    size_t after = p + delim.size();
    if (s.compare(after, 2, "--") == 0) {
      d.close = true;
      d.next = s.size();  // the epilogue is ignored
    } else if (!BlankToEndOfLine(s, after, &d.next)) {
      continue;
    }
    d.begin = LineBreakStart(s, p);
    return d;
  }
  return d;
}

}  // namespace

MultipartSplit SplitMultipart(std::string_view body, std::string_view boundary,
                              size_t max_parts) {
  MultipartSplit out;
  std::string delim = "--" + std::string(boundary);
  Delimiter d = FindDelimiter(body, delim, 0);
  out.found_delimiter = d.begin != std::string_view::npos;
  while (d.begin != std::string_view::npos && !d.close) {
    size_t part_begin = d.next;
    d = FindDelimiter(body, delim, part_begin);
    size_t part_end = d.begin == std::string_view::npos ? body.size() : d.begin;
    if (part_end < part_begin) part_end = part_begin;  // empty part
    if (out.parts.size() >= max_parts) {
      out.more = true;
      break;
    }
    out.parts.push_back(body.substr(part_begin, part_end - part_begin));
  }
  out.closed = d.close;
  return out;
}

}  // namespace mime
}  // namespace sendguard

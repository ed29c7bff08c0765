// mime/html.h — rendering HTML to the text a reader sees, and collecting
// the URLs it links to.
//
// Contract: never fails, linear time, output text never longer than about
// the input (entities only shrink; numeric ones to at most 4 bytes). Tags are
// removed; script, style and template contents and comments are dropped;
// block elements (p, div, br, li, tr, h1-h6, table, ...) become newlines and
// cells a space; runs of white space collapse to one space; named (the common
// HTML 4 set) and numeric entities are decoded (&#128;-&#159; as
// windows-1252, as browsers do). href/src/action/background attribute values
// are entity-decoded and appended to *uris as written (not normalised; the
// caller filters and normalises). The input must already be UTF-8.
// Thread-safety: pure functions.
#ifndef SENDGUARD_MIME_HTML_H_
#define SENDGUARD_MIME_HTML_H_

#include <string>
#include <string_view>
#include <vector>

namespace sendguard {
namespace mime {

void RenderHtml(std::string_view html, std::string* text,
                std::vector<std::string>* uris);

// Appends `s` with HTML character references decoded.
void DecodeHtmlEntities(std::string_view s, std::string* out);

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_HTML_H_

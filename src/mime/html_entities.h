// mime/html_entities.h — the named HTML character references the renderer
// knows (HTML 4's set: latin1, symbols, Greek, punctuation).
//
// Contract: LookupHtmlEntity returns the code point for a case-sensitive
// entity name without '&' and ';', or 0 if unknown.
// Thread-safety: the table is built once (thread-safe static init), then read.
#ifndef SENDGUARD_MIME_HTML_ENTITIES_H_
#define SENDGUARD_MIME_HTML_ENTITIES_H_

#include <string_view>

namespace sendguard {
namespace mime {

unsigned long LookupHtmlEntity(std::string_view name);

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_HTML_ENTITIES_H_

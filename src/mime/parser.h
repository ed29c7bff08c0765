// mime/parser.h — turning a raw message into what the content rules scan
// (mime/parsed_message.h): SpamAssassin's header, body, rawbody, full and
// uri targets.
//
// Contract: Parse never fails and never throws (short of std::bad_alloc):
// malformed input gives a best-effort ParsedMessage plus warnings. Work and
// memory are linear in min(raw size, max_scan_bytes) times a small factor
// (at most max_depth re-scans of nested multipart bodies). Only the first
// max_scan_bytes are looked at; when any limit cuts what is scanned,
// `truncated` is set, a warning names the limit and one Info line is logged.
// The message as delivered is never touched: this module only reads.
//
// Targets:
//   headers  the top-level header block; `decoded` is RFC 2047 decoded UTF-8
//   body     decoded Subject + "\n", then every text/* part but text/calendar
//            and text/x-vcard (SpamAssassin reads the others as text/plain;
//            transfer encoding undone, converted to UTF-8, HTML rendered),
//            with "\n" before every later leaf part, text or not, as
//            SpamAssassin joins them. Lines are kept as they are (the rule
//            engine joins them into SpamAssassin's paragraphs, rules/body_text.h).
//            Text parts of multipart/alternative are all included.
//   rawbody  every text/* and message/* leaf but text/calendar (as
//            SpamAssassin's get_decoded_body_text_array), decoded and
//            converted, HTML not rendered.
//   full     the raw bytes (first max_scan_bytes).
//   uris     every URL in the decoded Subject, text parts, rendered HTML and
//            HTML href/src/action attributes, normalised (mime/uri.h; `tlds`
//            are the rule set's util_rb_tld names), de-duplicated, in order.
// message/rfc822 parts are parsed as nested messages (their text parts join
// body/rawbody; their headers are not in `headers`). Non-text leaves only get
// a PartInfo.
// Thread-safety: Parse is reentrant; call it from any number of threads.
#ifndef SENDGUARD_MIME_PARSER_H_
#define SENDGUARD_MIME_PARSER_H_

#include <cstddef>
#include <string_view>

#include "mime/parsed_message.h"
#include "mime/scan_limits.h"
#include "mime/tld_list.h"

namespace sendguard {
namespace mime {

ParsedMessage Parse(std::string_view raw_message, const ScanLimits& limits,
                    const TldList& tlds = TldList::None());

// Decoded value of the first header named `name` (case-insensitive) in the
// top-level block, or nullptr.
const Header* FindHeader(const ParsedMessage& message, std::string_view name);

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_PARSER_H_

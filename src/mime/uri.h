// mime/uri.h — finding URLs in text and normalising them roughly as
// SpamAssassin does before `uri` rules see them.
//
// Contract: never fails. NormalizeUri: drops blanks and control characters,
// lower-cases the scheme, adds "http://" to "www." and "ftp://" to "ftp."
// (and "http://" to scheme-less "//host"), turns "\" into "/" in the scheme
// separator, %-decodes and lower-cases the host, drops a trailing dot of the
// host. Path, query and fragment are kept as written. Returns "" for input
// that holds no URL. FindUris reads plain text as SpamAssassin's text URI
// scanner (PerMsgStatus _tbirdurire) does, left to right, a match hiding
// what starts inside it: http(s)/ftp/mailto/www. URLs, trailing prose
// punctuation trimmed; bare mail addresses as "mailto:local@host" when the
// domain's last label is in `tlds` ("host/x@y" as http://host/x@y); and
// schemeless host names ending in a label of `tlds` ("example.com/x" ->
// http://example.com/x). With an empty list there are no schemeless URLs and
// a mail domain's last label need only be 2 or more letters.
// Thread-safety: pure functions.
#ifndef SENDGUARD_MIME_URI_H_
#define SENDGUARD_MIME_URI_H_

#include <string>
#include <string_view>
#include <vector>

#include "mime/tld_list.h"

namespace sendguard {
namespace mime {

std::string NormalizeUri(std::string_view uri);

// Appends normalised URLs found in `text` to *out (duplicates kept).
void FindUris(std::string_view text, std::vector<std::string>* out,
              const TldList& tlds = TldList::None());

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_URI_H_

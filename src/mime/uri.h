// mime/uri.h — finding URLs in text and normalising them roughly as
// SpamAssassin does before `uri` rules see them.
//
// Contract: never fails. NormalizeUri: drops blanks and control characters,
// lower-cases the scheme, adds "http://" to "www." and "ftp://" to "ftp."
// (and "http://" to scheme-less "//host"), turns "\" into "/" in the scheme
// separator, %-decodes and lower-cases the host, drops a trailing dot of the
// host. Path, query and fragment are kept as written. Returns "" for input
// that holds no URL. FindUris appends every http(s)/ftp/mailto/www. URL found
// in plain text (bare domains like "example.com/x" are not recognised) and
// trims trailing punctuation that is most likely prose; bare mail addresses
// (outside those URLs) become "mailto:local@host", as SpamAssassin's text
// URI parser makes them (its TLD list approximated: the last label is 2 or
// more letters).
// Thread-safety: pure functions.
#ifndef SENDGUARD_MIME_URI_H_
#define SENDGUARD_MIME_URI_H_

#include <string>
#include <string_view>
#include <vector>

namespace sendguard {
namespace mime {

std::string NormalizeUri(std::string_view uri);

// Appends normalised URLs found in `text` to *out (duplicates kept).
void FindUris(std::string_view text, std::vector<std::string>* out);

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_URI_H_

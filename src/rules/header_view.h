// rules/header_view.h — what a SpamAssassin header rule sees of a message's
// headers: values by name (case-insensitive), the :addr and :name views, and
// the pseudo-headers ALL, ToCc and MESSAGEID.
//
// Contract: pure functions over mime::Header; no allocation beyond the
// returned string. `found` tells a missing header from an empty one.
// Thread-safety: stateless.
#ifndef SENDGUARD_RULES_HEADER_VIEW_H_
#define SENDGUARD_RULES_HEADER_VIEW_H_

#include <string>
#include <string_view>
#include <vector>

#include "mime/parsed_message.h"
#include "rules/rule_def.h"

namespace sendguard {
namespace rules {

// The text a header rule on `name` with `view` matches against.
std::string HeaderText(const std::vector<mime::Header>& headers, std::string_view name,
                       HeaderView view, bool* found);

// The last occurrence of `name` in one MIME entity's headers, as
// MIMEHeader's get_header / raw_header read it (decoded, or :raw with LF
// line ends).
std::string LastHeaderValue(const std::vector<mime::Header>& headers, std::string_view name,
                            HeaderView view, bool* found);

// SpamAssassin pseudo-headers that are not in the message itself
// (X-Spam-Relays-*, EnvelopeFrom, ALL-TRUSTED, ...): the relay ones are read
// from ParsedMessage::pseudo_headers (rules/relays.h), the others from the
// message's headers; when absent, neither =~ nor !~ rules hit.
bool IsCallerSuppliedHeader(std::string_view name);

// First address of an address header value ("A <a@b>" -> "a@b").
std::string AddressOf(std::string_view value);
// Display name of an address header value ("\"A B\" <a@b>" -> "A B").
std::string DisplayNameOf(std::string_view value);

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_HEADER_VIEW_H_

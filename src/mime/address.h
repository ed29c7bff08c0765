// mime/address.h — reading mailboxes out of an address header (From, To,
// Cc, Reply-To, Sender): `"Name" <a@b>`, `Name <a@b>`, `a@b (Name)`, groups.
//
// Contract: never fails; give it the raw header value (folded, undecoded).
// Returns one Address per mailbox in order; groups ("Team: a@b, c@d;") are
// flattened and empty groups ("undisclosed-recipients:;") give nothing.
// Display names are RFC 2047 decoded to UTF-8, unquoted and trimmed; a
// comment after a bare address is used as the name. Addresses are returned
// as written (trimmed, route and angle brackets removed); entries without
// any address text are skipped. At most max_addresses are returned.
// Thread-safety: pure functions.
#ifndef SENDGUARD_MIME_ADDRESS_H_
#define SENDGUARD_MIME_ADDRESS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sendguard {
namespace mime {

struct Address {
  std::string name;     // display name, UTF-8 ("" if none)
  std::string address;  // local@domain as written ("" never returned)
};

std::vector<Address> ParseAddressList(std::string_view raw_value,
                                      size_t max_addresses = 1000);


}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_ADDRESS_H_

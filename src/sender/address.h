// sender/address.h — the small part of RFC 5322 address syntax the sender
// check needs: pulling the addr-spec(s) out of a From header value.
//
// Contract: ExtractAddresses returns every mailbox address of a header value
// ("Name <a@b>", "a@b (comment)", "\"x, y\" <a@b>", groups "g: a@b, c@d;"),
// lower-cased, in order; a value with no address yields an empty list. It
// never fails: garbage simply yields fewer addresses. DomainOf("a@B.org") is
// "b.org" ("" without '@'). Pure functions.
// Thread-safety: stateless.
#ifndef SENDGUARD_SENDER_ADDRESS_H_
#define SENDGUARD_SENDER_ADDRESS_H_

#include <string>
#include <string_view>
#include <vector>

namespace sendguard::sender {

std::vector<std::string> ExtractAddresses(std::string_view header_value);
std::string DomainOf(const std::string& address);
std::string ToLower(std::string_view s);

}  // namespace sendguard::sender

#endif  // SENDGUARD_SENDER_ADDRESS_H_

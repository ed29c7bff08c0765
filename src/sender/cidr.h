// sender/cidr.h — IPv4/IPv6 networks ("192.0.2.0/24", "2001:db8::/32",
// "127.0.0.1") for senders identified by their client address.
//
// Contract: Cidr::Parse fails (InvalidArgument) on anything that is not an
// address with an optional in-range prefix; Contains() compares the leading
// prefix bits; an IPv4 address never matches an IPv6 network or vice versa.
// Thread-safety: immutable value.
#ifndef SENDGUARD_SENDER_CIDR_H_
#define SENDGUARD_SENDER_CIDR_H_

#include <array>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace sendguard::sender {

class Cidr {
 public:
  static Result<Cidr> Parse(const std::string& text);
  bool Contains(const std::string& address) const;

 private:
  static bool ParseAddress(const std::string& text, std::array<uint8_t, 16>* bytes, bool* v6);
  std::array<uint8_t, 16> bytes_{};
  bool v6_ = false;
  int prefix_ = 0;
};

}  // namespace sendguard::sender

#endif  // SENDGUARD_SENDER_CIDR_H_

// core/net.h — IP addresses and CIDR prefixes (trusted networks, address
// aggregation).
//
// Contract: IpPrefix::Parse accepts "192.0.2.0/24", "2001:db8::/32" and bare
// addresses (a /32 or /128 prefix); Contains() is false across families.
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are treated as IPv4.
// Thread-safety: plain values.
#ifndef SENDGUARD_CORE_NET_H_
#define SENDGUARD_CORE_NET_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // v4 uses the first 4

  static Result<IpAddress> Parse(const std::string& text);
  std::string ToString() const;
  // The address with all bits after `bits` cleared ("192.0.2.0" for /24).
  IpAddress Masked(int bits) const;
};

class IpPrefix {
 public:
  static Result<IpPrefix> Parse(const std::string& text);
  bool Contains(const IpAddress& addr) const;
  std::string ToString() const;

 private:
  IpAddress base_;
  int bits_ = 0;
};

// True if `addr` is inside any of `prefixes`.
bool InAnyPrefix(const std::vector<IpPrefix>& prefixes, const IpAddress& addr);

}  // namespace sendguard

#endif  // SENDGUARD_CORE_NET_H_

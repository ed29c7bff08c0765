// sender/cidr.cc — network parsing and matching with inet_pton.
#include "sender/cidr.h"

#include <arpa/inet.h>

namespace sendguard::sender {

bool Cidr::ParseAddress(const std::string& text, std::array<uint8_t, 16>* bytes, bool* v6) {
  bytes->fill(0);
  *v6 = text.find(':') != std::string::npos;
  return inet_pton(*v6 ? AF_INET6 : AF_INET, text.c_str(), bytes->data()) == 1;
}

Result<Cidr> Cidr::Parse(const std::string& text) {
  Cidr c;
  size_t slash = text.find('/');
  if (!ParseAddress(text.substr(0, slash), &c.bytes_, &c.v6_))
    return Status::InvalidArgument("'" + text + "' is not an IP address or network");
  int max = c.v6_ ? 128 : 32;
  c.prefix_ = max;
  if (slash != std::string::npos) {
    std::string p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(p) > max)
      return Status::InvalidArgument("'" + text + "': bad prefix length");
    c.prefix_ = std::stoi(p);
  }
  return c;
}

bool Cidr::Contains(const std::string& address) const {
  std::array<uint8_t, 16> a;
  bool v6 = false;
  if (!ParseAddress(address, &a, &v6) || v6 != v6_) return false;
  int full = prefix_ / 8, rest = prefix_ % 8;
  for (int i = 0; i < full; ++i)
    if (a[i] != bytes_[i]) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (bytes_[full] & mask);
}

}  // namespace sendguard::sender

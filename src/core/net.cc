// core/net.cc — parsing and matching of IP addresses and prefixes with
// inet_pton / inet_ntop.
#include "core/net.h"

#include <arpa/inet.h>

#include <cstring>

namespace sendguard {

namespace {
bool IsV4Mapped(const std::array<uint8_t, 16>& b) {
  static const uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(b.data(), kPrefix, 12) == 0;
}

bool ParseInt(const std::string& s, int* out) {
  if (s.empty() || s.size() > 3) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}
}  // namespace

Result<IpAddress> IpAddress::Parse(const std::string& text) {
  IpAddress a;
  std::string t = text;
  if (t.size() > 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  if (t.compare(0, 5, "IPv6:") == 0) t = t.substr(5);
  if (inet_pton(AF_INET, t.c_str(), a.bytes.data()) == 1) return a;
  std::array<uint8_t, 16> b{};
  if (inet_pton(AF_INET6, t.c_str(), b.data()) != 1) {
    return Status::InvalidArgument("not an IP address: '" + text + "'");
  }
  if (IsV4Mapped(b)) {
    memcpy(a.bytes.data(), b.data() + 12, 4);
    return a;
  }
  a.v6 = true;
  a.bytes = b;
  return a;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf));
  return buf;
}

IpAddress IpAddress::Masked(int bits) const {
  IpAddress m = *this;
  int total = v6 ? 128 : 32;
  for (int i = 0; i < total / 8; ++i) {
    int keep = bits - i * 8;
    if (keep >= 8) continue;
    m.bytes[i] &= keep <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - keep));
  }
  return m;
}

Result<IpPrefix> IpPrefix::Parse(const std::string& text) {
  std::string addr = text;
  int bits = -1;
  size_t slash = text.find('/');
  if (slash != std::string::npos) {
    addr = text.substr(0, slash);
    if (!ParseInt(text.substr(slash + 1), &bits)) {
      return Status::InvalidArgument("bad prefix length in '" + text + "'");
    }
  }
  Result<IpAddress> a = IpAddress::Parse(addr);
  if (!a.ok()) return Status::InvalidArgument("not a network: '" + text + "'");
  int max = a->v6 ? 128 : 32;
  if (bits < 0) bits = max;
  if (bits > max) return Status::InvalidArgument("prefix length too long in '" + text + "'");
  IpPrefix p;
  p.base_ = a->Masked(bits);
  p.bits_ = bits;
  return p;
}

bool IpPrefix::Contains(const IpAddress& addr) const {
  if (addr.v6 != base_.v6) return false;
  return addr.Masked(bits_).bytes == base_.bytes;
}

std::string IpPrefix::ToString() const {
  return base_.ToString() + "/" + std::to_string(bits_);
}

bool InAnyPrefix(const std::vector<IpPrefix>& prefixes, const IpAddress& addr) {
  for (const IpPrefix& p : prefixes) {
    if (p.Contains(addr)) return true;
  }
  return false;
}

}  // namespace sendguard

// idna/idna.cc — domains through libidn2 (UTS #46), local parts through
// libunistring's NFC. The only users of <idn2.h> and <uninorm.h>.
#include "idna/idna.h"

#include <idn2.h>
#include <uninorm.h>

#include <cstdlib>

#include "core/strings.h"

namespace sendguard::idna {
namespace {

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// An ASCII label "xn--..." must decode, or receivers would see garbage.
bool ValidALabels(const std::string& ascii) {
  if (ascii.find("xn--") == std::string::npos) return true;
  char* unicode = nullptr;
  int rc = idn2_to_unicode_8z8z(ascii.c_str(), &unicode, 0);
  free(unicode);
  return rc == IDN2_OK;
}

Status NotIdna(std::string_view domain, const char* why) {
  return Status::InvalidArgument("'" + std::string(domain) + "' is not a valid IDNA domain: " + why);
}

}  // namespace

Result<std::string> CanonicalDomain(std::string_view domain) {
  std::string name = CanonicalDnsName(domain);
  if (IsAscii(name)) {
    if (!ValidALabels(name)) return NotIdna(domain, "an xn-- label does not decode");
    return name;
  }
  std::string input = NormalizeNfc(name);
  uint8_t* out = nullptr;
  int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()), &out, IDN2_NONTRANSITIONAL);
  if (rc != IDN2_OK) {
    free(out);
    return NotIdna(domain, idn2_strerror(rc));
  }
  std::string result = Lower(reinterpret_cast<const char*>(out));
  free(out);
  return result;
}

Result<std::string> CanonicalAddress(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return NormalizeNfc(address);
  Result<std::string> domain = CanonicalDomain(address.substr(at + 1));
  if (!domain.ok()) return domain.status();
  return NormalizeNfc(address.substr(0, at)) + "@" + *domain;
}

Result<std::string> CanonicalPattern(std::string_view pattern) {
  if (pattern == "*" || pattern.empty()) return std::string(pattern);
  size_t at = pattern.rfind('@');
  std::string_view head = at == std::string_view::npos ? "" : pattern.substr(0, at + 1);
  std::string_view domain = at == std::string_view::npos ? pattern : pattern.substr(at + 1);
  std::string_view wildcard;
  if (domain.substr(0, 2) == "*.") {
    wildcard = "*.";
    domain.remove_prefix(2);
  }
  if (domain.empty()) return std::string(pattern);
  Result<std::string> canonical = CanonicalDomain(domain);
  if (!canonical.ok()) return canonical.status();
  return NormalizeNfc(head) + std::string(wildcard) + *canonical;
}

std::string DisplayDomain(std::string_view domain) {
  std::string ascii(domain);
  char* unicode = nullptr;
  if (idn2_to_unicode_8z8z(ascii.c_str(), &unicode, 0) != IDN2_OK || unicode == nullptr) {
    free(unicode);
    return ascii;
  }
  std::string result(unicode);
  free(unicode);
  return result;
}

std::string NormalizeNfc(std::string_view text) {
  if (IsAscii(text)) return std::string(text);
  size_t length = 0;
  uint8_t* out = u8_normalize(UNINORM_NFC, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                              nullptr, &length);
  if (out == nullptr) return std::string(text);
  std::string result(reinterpret_cast<const char*>(out), length);
  free(out);
  return result;
}

}  // namespace sendguard::idna

// notify/signature.cc — HMAC-SHA256 through OpenSSL's one-shot HMAC().
#include "notify/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace sendguard::notify {
namespace {

std::string ToHex(const unsigned char* bytes, unsigned int length) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return hex;
}

}  // namespace

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  const unsigned char* out =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_length);
  if (out == nullptr) return "";
  return ToHex(mac, mac_length);
}

std::string SignatureHeaderValue(const std::string& secret, const std::string& body) {
  return "sha256=" + HmacSha256Hex(secret, body);
}

}  // namespace sendguard::notify

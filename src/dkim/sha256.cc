// dkim/sha256.cc — SHA-256 and base64 on OpenSSL's EVP interface.
#include "dkim/sha256.h"

#include <openssl/evp.h>

namespace sendguard::dkim {

// Never freed: it lives as long as the process, like OpenSSL's own tables.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched ? fetched : EVP_sha256();
  }();
  return md;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  failed_ = ctx_ == nullptr || EVP_DigestInit_ex(ctx_, Sha256Algorithm(), nullptr) != 1;
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Update(std::string_view data) {
  if (failed_ || data.empty()) return;
  failed_ = EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1;
}

Result<Digest> Sha256::Final() {
  Digest out{};
  unsigned int len = 0;
  if (failed_ || EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1 || len != out.size()) {
    failed_ = true;
    return Status::Internal("SHA-256 failed in OpenSSL");
  }
  failed_ = true;  // a second Final() is an error
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

}  // namespace sendguard::dkim

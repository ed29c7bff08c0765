// dkim/sha256.h — streaming SHA-256 and base64, the two encodings DKIM needs.
//
// Contract: Sha256 hashes everything passed to Update(); Final() may be called
// once and reports an OpenSSL failure as Status::Internal (never aborts).
// Thread-safety: one Sha256 per thread at a time; Base64Encode is pure.
#ifndef SENDGUARD_DKIM_SHA256_H_
#define SENDGUARD_DKIM_SHA256_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_md_st EVP_MD;

namespace sendguard::dkim {

using Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  Result<Digest> Final();

 private:
  EVP_MD_CTX* ctx_;
  bool failed_ = false;
};

std::string Base64Encode(std::string_view bytes);

// SHA-256 fetched once per process (OpenSSL 3 otherwise looks it up in its
// provider tables on every use, a measurable cost per message).
const EVP_MD* Sha256Algorithm();

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_SHA256_H_

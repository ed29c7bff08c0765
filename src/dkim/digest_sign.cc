// dkim/digest_sign.cc — RSA and Ed25519 signing of a precomputed digest.
#include "dkim/digest_sign.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace sendguard::dkim {
namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return e ? buf : "unknown error";
}

// RSASSA-PKCS1-v1_5: the DigestInfo for SHA-256 wraps the given digest.
bool SignRsa(EVP_PKEY* key, const Digest& digest, std::string* sig) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(key));
  sig->assign(len, '\0');
  bool ok = ctx != nullptr && EVP_PKEY_sign_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
            EVP_PKEY_CTX_set_signature_md(ctx, Sha256Algorithm()) == 1 &&
            EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig->data()), &len,
                          digest.data(), digest.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  sig->resize(len);
  return ok;
}

// RFC 8463: Ed25519 (pure, no prehash mode) over the SHA-256 digest bytes.
bool SignEd25519(EVP_PKEY* key, const Digest& digest, std::string* sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  sig->assign(64, '\0');
  size_t len = sig->size();
  bool ok = ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
            EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig->data()), &len,
                           digest.data(), digest.size()) == 1 &&
            len == 64;
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace

const char* AlgorithmName(KeyType type) {
  return type == KeyType::kRsa ? "rsa-sha256" : "ed25519-sha256";
}

Result<std::string> SignDigest(const PrivateKey& key, const Digest& digest) {
  std::string sig;
  bool ok = key.type == KeyType::kRsa ? SignRsa(key.pkey.get(), digest, &sig)
                                      : SignEd25519(key.pkey.get(), digest, &sig);
  if (!ok) return Status::Internal(std::string(AlgorithmName(key.type)) +
                                   " signing failed: " + OpenSslError());
  return sig;
}

}  // namespace sendguard::dkim

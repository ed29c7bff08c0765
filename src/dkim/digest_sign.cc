// dkim/digest_sign.cc — RSA and Ed25519 signing of a precomputed digest.
#include "dkim/digest_sign.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace sendguard::dkim {

// Exactly one of the two is set, ready to sign; after PrepareSigner it is
// only duplicated, never used or changed itself.
struct PreparedSigner {
  EVP_PKEY_CTX* rsa = nullptr;    // after EVP_PKEY_sign_init, padding and md
  EVP_MD_CTX* ed25519 = nullptr;  // after EVP_DigestSignInit
  PreparedSigner() = default;
  PreparedSigner(const PreparedSigner&) = delete;
  PreparedSigner& operator=(const PreparedSigner&) = delete;
  ~PreparedSigner() {
    EVP_PKEY_CTX_free(rsa);
    EVP_MD_CTX_free(ed25519);
  }
};

namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return e ? buf : "unknown error";
}

// RSASSA-PKCS1-v1_5: the DigestInfo for SHA-256 wraps the given digest.
EVP_PKEY_CTX* NewRsaContext(EVP_PKEY* key) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  if (ctx != nullptr && EVP_PKEY_sign_init(ctx) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
      EVP_PKEY_CTX_set_signature_md(ctx, Sha256Algorithm()) == 1)
    return ctx;
  EVP_PKEY_CTX_free(ctx);
  return nullptr;
}

// RFC 8463: Ed25519 (pure, no prehash mode).
EVP_MD_CTX* NewEd25519Context(EVP_PKEY* key) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key) == 1) return ctx;
  EVP_MD_CTX_free(ctx);
  return nullptr;
}

// A context of its own for one signature: a duplicate of the prepared one.
EVP_PKEY_CTX* RsaContextFor(const PrivateKey& key) {
  if (key.signer == nullptr || key.signer->rsa == nullptr) return NewRsaContext(key.pkey.get());
  return EVP_PKEY_CTX_dup(key.signer->rsa);
}

EVP_MD_CTX* Ed25519ContextFor(const PrivateKey& key) {
  if (key.signer == nullptr || key.signer->ed25519 == nullptr)
    return NewEd25519Context(key.pkey.get());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx != nullptr && EVP_MD_CTX_copy_ex(ctx, key.signer->ed25519) == 1) return ctx;
  EVP_MD_CTX_free(ctx);
  return nullptr;
}

// Whether this OpenSSL can duplicate the prepared context (some 3.0 releases
// cannot copy an EVP_MD_CTX without a digest, as Ed25519's is).
bool Duplicates(const PreparedSigner& p) {
  if (p.rsa != nullptr) {
    EVP_PKEY_CTX* copy = EVP_PKEY_CTX_dup(p.rsa);
    EVP_PKEY_CTX_free(copy);
    return copy != nullptr;
  }
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  bool ok = copy != nullptr && EVP_MD_CTX_copy_ex(copy, p.ed25519) == 1;
  EVP_MD_CTX_free(copy);
  return ok;
}

bool SignRsa(const PrivateKey& key, const Digest& digest, std::string* sig) {
  EVP_PKEY_CTX* ctx = RsaContextFor(key);
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()));
  sig->assign(len, '\0');
  bool ok = ctx != nullptr && EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig->data()),
                                            &len, digest.data(), digest.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  sig->resize(ok ? len : 0);
  return ok;
}

// The 32 digest bytes are the Ed25519 message.
bool SignEd25519(const PrivateKey& key, const Digest& digest, std::string* sig) {
  EVP_MD_CTX* ctx = Ed25519ContextFor(key);
  sig->assign(64, '\0');
  size_t len = sig->size();
  bool ok = ctx != nullptr &&
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

Result<std::shared_ptr<const PreparedSigner>> PrepareSigner(const PrivateKey& key) {
  auto p = std::make_shared<PreparedSigner>();
  bool ok = key.type == KeyType::kRsa ? (p->rsa = NewRsaContext(key.pkey.get())) != nullptr
                                      : (p->ed25519 = NewEd25519Context(key.pkey.get())) != nullptr;
  if (!ok) return Status::Internal(std::string(AlgorithmName(key.type)) +
                                   " signing setup failed: " + OpenSslError());
  if (!Duplicates(*p)) {
    ERR_clear_error();
    return std::shared_ptr<const PreparedSigner>();
  }
  return std::shared_ptr<const PreparedSigner>(std::move(p));
}

Result<std::string> SignDigest(const PrivateKey& key, const Digest& digest) {
  std::string sig;
  bool ok = key.type == KeyType::kRsa ? SignRsa(key, digest, &sig) : SignEd25519(key, digest, &sig);
  if (!ok) return Status::Internal(std::string(AlgorithmName(key.type)) +
                                   " signing failed: " + OpenSslError());
  return sig;
}

}  // namespace sendguard::dkim

// dkim/private_key.h — reads one DKIM private key file safely.
//
// Contract: LoadPrivateKey opens the file without following a symlink into
// another owner's file, refuses it when group/other can read it (group read is
// allowed only with allow_group_readable), parses the PEM with OpenSSL and
// reports RSA (with its size) or Ed25519. Every error names the file and why.
// The key is kept as PEM text (libopendkim wants that), as a parsed key and
// as an OpenSSL signing context prepared once (dkim/digest_sign.h).
// Thread-safety: a loaded PrivateKey is immutable and may be shared; the
// prepared context is only ever duplicated, never used in place.
#ifndef SENDGUARD_DKIM_PRIVATE_KEY_H_
#define SENDGUARD_DKIM_PRIVATE_KEY_H_

#include <memory>
#include <string>

#include "core/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace sendguard::dkim {

enum class KeyType { kRsa, kEd25519 };

struct PreparedSigner;  // opaque, see dkim/digest_sign.h

struct PrivateKey {
  KeyType type = KeyType::kRsa;
  int bits = 0;
  std::string pem;                  // the file's text (PEM)
  std::shared_ptr<EVP_PKEY> pkey;   // parsed form
  // Set by LoadPrivateKey (see PrepareSigner); when null (also for keys
  // made in memory) SignDigest sets up an OpenSSL context per signature.
  std::shared_ptr<const PreparedSigner> signer = nullptr;
};

Result<PrivateKey> LoadPrivateKey(const std::string& path, bool allow_group_readable);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_PRIVATE_KEY_H_

// dkim/digest_sign.h — the public-key operation of a DKIM signature, done
// with OpenSSL on the SHA-256 digest of the canonicalized header data:
//  * rsa-sha256 (RFC 6376): RSASSA-PKCS1-v1_5 with SHA-256 over the digest;
//  * ed25519-sha256 (RFC 8463): PureEdDSA over the 32-byte digest.
//
// Contract: SignDigest returns the raw signature bytes or an Internal Status
// carrying OpenSSL's error; it allocates nothing that outlives the call. This
// is the only file doing DKIM signature crypto with OpenSSL.
// Thread-safety: safe to call concurrently with the same key (an EVP_PKEY is
// read-only for signing; each call has its own context).
#ifndef SENDGUARD_DKIM_DIGEST_SIGN_H_
#define SENDGUARD_DKIM_DIGEST_SIGN_H_

#include <string>

#include "core/status.h"
#include "dkim/private_key.h"
#include "dkim/sha256.h"

namespace sendguard::dkim {

Result<std::string> SignDigest(const PrivateKey& key, const Digest& digest);

// "rsa-sha256" or "ed25519-sha256".
const char* AlgorithmName(KeyType type);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_DIGEST_SIGN_H_

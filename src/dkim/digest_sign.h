// dkim/digest_sign.h — the public-key operation of a DKIM signature, done
// with OpenSSL on the SHA-256 digest of the canonicalized header data:
//  * rsa-sha256 (RFC 6376): RSASSA-PKCS1-v1_5 with SHA-256 over the digest;
//  * ed25519-sha256 (RFC 8463): PureEdDSA over the 32-byte digest.
//
// Contract: PrepareSigner sets up, once per key, the OpenSSL signing context
// (with OpenSSL 3 its init does provider fetches, microseconds that would
// otherwise be paid per signature); LoadPrivateKey keeps it in the
// PrivateKey. SignDigest duplicates that context for each signature (for a
// key without one it initializes a fresh context) and returns the raw
// signature bytes or an Internal Status carrying OpenSSL's error; it
// allocates nothing that outlives the call. This is the only file doing DKIM
// signature crypto with OpenSSL.
// Thread-safety: a PreparedSigner is immutable once made and only ever read
// (EVP_MD_CTX_copy_ex and EVP_PKEY_CTX_dup take it const and only take
// references on what it holds), so SignDigest is safe to call concurrently
// with the same key: every call signs with a context of its own.
#ifndef SENDGUARD_DKIM_DIGEST_SIGN_H_
#define SENDGUARD_DKIM_DIGEST_SIGN_H_

#include <memory>
#include <string>

#include "core/status.h"
#include "dkim/private_key.h"
#include "dkim/sha256.h"

namespace sendguard::dkim {

// Uses key.type and key.pkey (key.signer is ignored). Null (not an error)
// when this OpenSSL cannot duplicate the context: the key then signs with a
// context set up per signature.
Result<std::shared_ptr<const PreparedSigner>> PrepareSigner(const PrivateKey& key);

Result<std::string> SignDigest(const PrivateKey& key, const Digest& digest);

// "rsa-sha256" or "ed25519-sha256".
const char* AlgorithmName(KeyType type);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_DIGEST_SIGN_H_

// notify/signature.h — the webhook signature: HMAC-SHA256 of the body.
//
// Contract: HmacSha256Hex(key, data) is the lowercase hex of
// HMAC-SHA256(key, data) (64 characters); a receiver checks
// "X-Sendguard-Signature: sha256=<that>" against its own computation over the
// raw request body. Never fails for any input (an OpenSSL failure, which
// cannot happen for HMAC-SHA256, yields "").
// Thread-safety: a pure function; call it from any thread.
#ifndef SENDGUARD_NOTIFY_SIGNATURE_H_
#define SENDGUARD_NOTIFY_SIGNATURE_H_

#include <string>

namespace sendguard::notify {

std::string HmacSha256Hex(const std::string& key, const std::string& data);

// "sha256=" + HmacSha256Hex(secret, body): the X-Sendguard-Signature value.
std::string SignatureHeaderValue(const std::string& secret, const std::string& body);

}  // namespace sendguard::notify

#endif  // SENDGUARD_NOTIFY_SIGNATURE_H_

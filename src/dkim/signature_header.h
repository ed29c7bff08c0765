// dkim/signature_header.h — building the DKIM-Signature header for the
// signatures sendguard computes itself (Ed25519).
//
// Contract: SelectHeaders picks, for each name of the sign list, every
// instance present from the bottom up (RFC 6376 5.4.2), then adds one extra
// "h=" entry per oversigned name; FormatSignature lays the tags out with
// CRLF+TAB folding and an empty b= for hashing. Pure functions.
// Thread-safety: stateless.
#ifndef SENDGUARD_DKIM_SIGNATURE_HEADER_H_
#define SENDGUARD_DKIM_SIGNATURE_HEADER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "dkim/options.h"

namespace sendguard::dkim {

struct Header {
  std::string name;
  std::string value;  // as received: leading space and folding kept
};

struct HeaderSelection {
  std::vector<std::string> h_names;  // what goes into h=
  std::vector<size_t> hashed;        // indices into the header list, in hash order
};

HeaderSelection SelectHeaders(const std::vector<Header>& headers,
                              const std::vector<std::string>& sign,
                              const std::vector<std::string>& oversign);

struct SignatureFields {
  std::string algorithm;  // "ed25519-sha256"
  CanonPair canon;
  std::string domain, selector;
  int64_t time = 0;
  int64_t expiry = 0;  // 0: no x=
  std::vector<std::string> h_names;
  std::string body_hash;  // base64
};

// " v=1; a=...; ...; b=" — the value to hash; append the base64 b= after it.
std::string FormatSignature(const SignatureFields& f);

// The b= value folded every 72 characters (CRLF TAB SP; whitespace inside
// b= is ignored by verifiers), so RSA-4096 signatures keep lines short.
std::string FoldBase64(const std::string& b64);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_SIGNATURE_HEADER_H_

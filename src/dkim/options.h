// dkim/options.h — DkimOptions: everything the DKIM signer can be told.
//
// Contract: plain value type; DefaultSignedHeaders()/DefaultOversignedHeaders()
// give the RFC 6376 section 5.4.1 list and the oversigning list used when the
// configuration says nothing. ParseCanonicalization accepts "relaxed",
// "simple", "relaxed/simple", ... (header/body, as in the c= tag).
// Thread-safety: plain data; the functions are pure.
#ifndef SENDGUARD_DKIM_OPTIONS_H_
#define SENDGUARD_DKIM_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard::dkim {

enum class Canon { kSimple, kRelaxed };

struct CanonPair {
  Canon header = Canon::kRelaxed;
  Canon body = Canon::kRelaxed;
};

// "relaxed/relaxed", "simple/simple", "relaxed" (= relaxed/simple, as RFC 6376
// says a missing body part means simple).
Result<CanonPair> ParseCanonicalization(const std::string& text);
std::string CanonName(Canon c);

// RFC 6376 5.4.1 recommended list plus List-* and MIME headers (lower case).
std::vector<std::string> DefaultSignedHeaders();
// From, To, Cc, Subject, Date, Reply-To, Message-ID and the List-* headers.
std::vector<std::string> DefaultOversignedHeaders();

struct DkimOptions {
  // Key table: "name  domain:selector:keyfile" per line. Default: "" = no
  // signing at all (KeySet::Load returns an empty set).
  std::string key_table_path;
  // Signing table: "pattern  keyname [keyname...]" per line. Default: "".
  std::string signing_table_path;
  // c= tag. Default relaxed/relaxed.
  CanonPair canon;
  // Header names signed when present (case-insensitive). Must contain "from".
  // Default: DefaultSignedHeaders().
  std::vector<std::string> sign_headers = DefaultSignedHeaders();
  // Header names listed once more in h= than they occur, so nobody can add
  // one later. Default: DefaultOversignedHeaders().
  std::vector<std::string> oversign_headers = DefaultOversignedHeaders();
  // x= is t= plus this many seconds. Default 0: no x= tag.
  int64_t expiry_seconds = 0;
  // Key files with group read permission are accepted only when true (world
  // readable ones never). Default false.
  bool allow_group_readable_keys = false;
  // RSA signatures made by libopendkim (true) or by sendguard's own
  // canonicalization + OpenSSL, sharing one body hash with the Ed25519
  // signatures (false). Default false: libopendkim re-parses the PEM key for
  // every message (about 1 ms with OpenSSL 3, which halves RSA throughput).
  // Ed25519 never goes through libopendkim 2.11 (it leaks per signature).
  bool rsa_with_libopendkim = false;
  // Keys whose key table line says "require-published" sign only while their
  // DNS record matches (dkim/key_check.h); false: no key is ever held back
  // for DNS. Default true. Keys without the flag are never checked before use.
  bool require_published_key = true;
  // Seconds between the parent's checks of the published keys. Default 300.
  int key_check_interval_s = 300;
  // Seconds one round of checks may take before it is abandoned (keys it did
  // not reach keep their previous state). Default 10.
  int key_check_timeout_s = 10;
  // Tests only: fixed t= for libopendkim signatures. Default 0 = real clock.
  uint64_t fixed_time_for_tests = 0;
};

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_OPTIONS_H_

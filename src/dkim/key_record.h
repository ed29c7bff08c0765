// dkim/key_record.h — the DKIM public key record a selector publishes in DNS
// (RFC 6376 3.6.1): "v=DKIM1; k=rsa; t=y; p=MIIB...".
//
// Contract: ParseKeyRecord reads the tag list of one TXT record (its strings
// already joined): v= must come first when present and be "DKIM1"; k=
// defaults to rsa; p= is required (empty: the key is revoked), its base64 may
// hold white space, which is dropped; h=, s= and t= are colon-separated
// lists; unknown tags are ignored (RFC 6376 3.2); a tag given twice, a tag
// without '=', or a bad tag name is an error saying which. Pure.
// Thread-safety: stateless.
#ifndef SENDGUARD_DKIM_KEY_RECORD_H_
#define SENDGUARD_DKIM_KEY_RECORD_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sendguard::dkim {

struct KeyRecord {
  std::string key_type = "rsa";       // k=, lower case
  std::string public_key;             // p=, white space removed; "" = revoked
  std::vector<std::string> hashes;    // h=; empty = any
  std::vector<std::string> services;  // s=; empty = "*"
  std::vector<std::string> flags;     // t=: "y" (testing), "s" (no subdomains)

  bool revoked() const { return public_key.empty(); }
  bool testing() const;
  // h= allows sha256 and s= allows email (RFC 6376 3.6.1).
  bool AllowsSha256Email() const;
};

Result<KeyRecord> ParseKeyRecord(std::string_view text);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_KEY_RECORD_H_

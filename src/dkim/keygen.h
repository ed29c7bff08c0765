// dkim/keygen.h — `sendguard keygen`: makes a DKIM key pair with OpenSSL,
// writes the private key and prints the DNS TXT record to publish.
//
// Contract: GenerateKey creates DIR/SELECTOR.private (PEM, PKCS#8, mode 0600,
// never overwriting an existing file) and returns the zone-file TXT record
// "S._domainkey.D. IN TXT ( "v=DKIM1; k=rsa; p=..." )" with the record split
// into strings of at most 255 bytes. RunKeygenCommand parses the CLI
// arguments, prints the record to `out`, the key table line to add (flagged
// require-published, so the key signs only once DNS shows it) and errors to `err`; it returns the
// process exit code (0 ok, 1 failure, 2 usage error).
// Thread-safety: stateless; safe from any thread.
#ifndef SENDGUARD_DKIM_KEYGEN_H_
#define SENDGUARD_DKIM_KEYGEN_H_

#include <ostream>
#include <string>
#include <vector>

#include "core/status.h"
#include "dkim/private_key.h"

namespace sendguard::dkim {

struct KeygenOptions {
  std::string domain;            // required
  std::string selector;          // required
  KeyType type = KeyType::kRsa;  // default rsa
  int bits = 2048;               // RSA only; 1024..8192, default 2048
  std::string dir = ".";         // default the current directory
};

struct KeygenResult {
  std::string private_key_path;
  std::string txt_record;        // zone-file form, ends with a newline
};

Result<KeygenResult> GenerateKey(const KeygenOptions& options);

// The public key as the p= tag carries it (base64: RSA SubjectPublicKeyInfo
// DER, Ed25519 the raw 32 bytes).
Result<std::string> PublicKeyBase64(const PrivateKey& key);

// The DNS TXT record body ("v=DKIM1; k=...; p=...") of a private key.
Result<std::string> DkimTxtValue(const PrivateKey& key);

// args: the words after "keygen", e.g. {"--domain", "example.com", ...}.
int RunKeygenCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_KEYGEN_H_

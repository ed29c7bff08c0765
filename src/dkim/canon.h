// dkim/canon.h — RFC 6376 section 3.4 canonicalization for the signatures
// sendguard computes itself (Ed25519, RFC 8463).
//
// Contract: CanonicalHeader() turns one header (name and the value exactly as
// received: leading space and CRLF folding kept) into the bytes that enter the
// header hash, CRLF included; AppendCanonicalHeader() appends the same bytes
// to a buffer. BodyHasher takes the body in chunks of any size (split
// anywhere, even inside CRLF) and yields the bh= digest; it keeps only a count
// of pending empty lines, one pending CR/space and a fixed-size buffer of
// canonical bytes not yet hashed, never the body.
// Thread-safety: the functions are pure; one BodyHasher per message, one
// thread at a time.
#ifndef SENDGUARD_DKIM_CANON_H_
#define SENDGUARD_DKIM_CANON_H_

#include <string>
#include <string_view>

#include "dkim/options.h"
#include "dkim/sha256.h"

namespace sendguard::dkim {

std::string CanonicalHeader(Canon canon, std::string_view name, std::string_view value);
void AppendCanonicalHeader(Canon canon, std::string_view name, std::string_view value,
                           std::string* out);

class BodyHasher {
 public:
  explicit BodyHasher(Canon canon) : relaxed_(canon == Canon::kRelaxed) {}
  void Update(std::string_view chunk);
  Result<Digest> Final();

 private:
  void Byte(char c);
  void Content(char c);
  void ContentRun(std::string_view run);
  void EmitByte(char c);
  void Emit(std::string_view bytes);
  void Flush();

  bool relaxed_;
  bool pending_cr_ = false;
  bool pending_space_ = false;
  bool any_content_ = false;
  size_t pending_crlfs_ = 0;
  size_t used_ = 0;  // bytes of out_ not yet passed to sha_
  char out_[8192];
  Sha256 sha_;
};

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_CANON_H_

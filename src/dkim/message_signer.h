// dkim/message_signer.h — signs one outgoing message with every key the
// signing table lists for its From domain, streaming.
//
// Contract: Begin() returns a null pointer when the KeySet has no key for the
// domain (the message goes out unsigned). Then AddHeader() for every header
// in message order (value exactly as received with SMFIP_HDR_LEADSPC: leading
// space and CRLF folding kept), EndHeaders(), AddBody() per chunk (CRLF line
// ends, as the milter delivers them), Finish() once. A body whose last line
// lacks CRLF is signed as if it had one (SMTP adds it on the wire).
// Nothing of the body is kept: the signatures sendguard makes itself (every
// Ed25519 key, and RSA keys unless rsa_with_libopendkim) share one streamed,
// canonicalized body hash (one c= per KeySet); RSA keys signed by libopendkim
// stream into their own handle each. Only the headers are kept until Finish.
// Headers that sendguard adds after signing (X-Spam-*, X-Sendguard) are
// simply not in the signed-header list, so they do not break the signature.
// Any failure is a Status (the daemon turns it into its failure action);
// calls after a failure keep returning that failure.
// Thread-safety: one MessageSigner per message, used by one thread at a time;
// the KeySet it holds is shared read-only.
#ifndef SENDGUARD_DKIM_MESSAGE_SIGNER_H_
#define SENDGUARD_DKIM_MESSAGE_SIGNER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "dkim/canon.h"
#include "dkim/key_set.h"
#include "dkim/opendkim_signer.h"
#include "dkim/signature_header.h"

namespace sendguard::dkim {

class MessageSigner {
 public:
  // now_seconds: t= (libopendkim signatures take libopendkim's clock, or
  // options().fixed_time_for_tests). Errors come back as a Status.
  static Result<std::unique_ptr<MessageSigner>> Begin(std::shared_ptr<const KeySet> keys,
                                                      const std::string& from_domain,
                                                      int64_t now_seconds);

  Status AddHeader(std::string_view name, std::string_view value);
  Status EndHeaders();
  Status AddBody(std::string_view chunk);
  // One DKIM-Signature VALUE per key (leading space, CRLF+TAB folding), in
  // signing-table order. Insert them so the first one ends up topmost: call
  // smfi_insheader(ctx, 0, "DKIM-Signature", v) for the values in REVERSE
  // order, after converting with ToMilterValue().
  Result<std::vector<std::string>> Finish();

 private:
  struct Slot {
    const KeyEntry* entry = nullptr;
    std::string domain;                          // d=
    std::unique_ptr<OpenDkimMessage> opendkim;   // set: libopendkim signs
  };

  MessageSigner() = default;
  Status Fail(Status s);
  Result<std::string> SignOwn(const Slot& slot, const std::string& body_hash) const;

  std::shared_ptr<const KeySet> keys_;
  int64_t now_ = 0;
  std::vector<Slot> slots_;      // one per signature, in output order
  std::vector<Header> headers_;  // kept only when sendguard signs itself
  std::unique_ptr<BodyHasher> body_;
  std::string body_tail_;        // last two body bytes seen
  Status failed_;
  enum class Stage { kHeaders, kBody, kDone } stage_ = Stage::kHeaders;
};

// Milter header values are stored LF-terminated by Postfix and Sendmail,
// which write CRLF on the wire: "\r\n\t" -> "\n\t".
std::string ToMilterValue(const std::string& value);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_MESSAGE_SIGNER_H_

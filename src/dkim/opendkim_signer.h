// dkim/opendkim_signer.h — RSA-SHA256 signatures made by libopendkim. The
// only sendguard file that includes <opendkim/dkim.h> is opendkim_signer.cc.
//
// Contract: OpenDkimLibrary owns one DKIM_LIB configured from DkimOptions
// (signed/oversigned header lists, x= TTL, fixed time for tests); it is
// created inside KeySet::Load, i.e. at startup or reload, never per message.
// OpenDkimMessage is one DKIM handle for one message and one RSA key; it is
// fed header by header and chunk by chunk (libopendkim hashes the body as it
// streams, no copy is kept) and Finish() returns the DKIM-Signature value.
// Every libopendkim failure comes back as a Status with its error text.
// Thread-safety: OpenDkimLibrary is immutable after Create and may be shared;
// an OpenDkimMessage is used by one thread at a time.
#ifndef SENDGUARD_DKIM_OPENDKIM_SIGNER_H_
#define SENDGUARD_DKIM_OPENDKIM_SIGNER_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "dkim/options.h"

namespace sendguard::dkim {

class OpenDkimLibrary {
 public:
  static Result<std::shared_ptr<const OpenDkimLibrary>> Create(const DkimOptions& options);
  ~OpenDkimLibrary();
  OpenDkimLibrary(const OpenDkimLibrary&) = delete;
  OpenDkimLibrary& operator=(const OpenDkimLibrary&) = delete;

 private:
  friend class OpenDkimMessage;
  OpenDkimLibrary() = default;
  Status Configure(const DkimOptions& options);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class OpenDkimMessage {
 public:
  // pem: the RSA private key as PEM text; domain/selector: d= and s=.
  static Result<std::unique_ptr<OpenDkimMessage>> Begin(
      std::shared_ptr<const OpenDkimLibrary> library, const std::string& pem,
      const std::string& domain, const std::string& selector, CanonPair canon);
  ~OpenDkimMessage();
  OpenDkimMessage(const OpenDkimMessage&) = delete;
  OpenDkimMessage& operator=(const OpenDkimMessage&) = delete;

  Status AddHeader(std::string_view name, std::string_view value);
  Status EndHeaders();
  Status AddBody(std::string_view chunk);
  // " v=1; a=rsa-sha256; ..." with CRLF+TAB folding.
  Result<std::string> Finish();

 private:
  struct Impl;
  explicit OpenDkimMessage(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_OPENDKIM_SIGNER_H_

// dkim/options.cc — canonicalization names and default header lists.
#include "dkim/options.h"

namespace sendguard::dkim {
namespace {

Result<Canon> ParseOne(const std::string& word, const std::string& whole) {
  if (word == "relaxed") return Canon::kRelaxed;
  if (word == "simple") return Canon::kSimple;
  return Status::InvalidArgument("canonicalization '" + whole +
                                 "': expected relaxed or simple, got '" + word + "'");
}

}  // namespace

Result<CanonPair> ParseCanonicalization(const std::string& text) {
  size_t slash = text.find('/');
  std::string head = text.substr(0, slash);
  std::string body = slash == std::string::npos ? "simple" : text.substr(slash + 1);
  Result<Canon> h = ParseOne(head, text);
  if (!h.ok()) return h.status();
  Result<Canon> b = ParseOne(body, text);
  if (!b.ok()) return b.status();
  return CanonPair{*h, *b};
}

std::string CanonName(Canon c) { return c == Canon::kRelaxed ? "relaxed" : "simple"; }

std::vector<std::string> DefaultSignedHeaders() {
  return {"from", "reply-to", "subject", "date", "to", "cc",
          "resent-date", "resent-from", "resent-to", "resent-cc",
          "in-reply-to", "references", "message-id", "sender",
          "mime-version", "content-type", "content-transfer-encoding",
          "content-id", "content-description",
          "list-id", "list-help", "list-unsubscribe", "list-subscribe",
          "list-post", "list-owner", "list-archive", "list-unsubscribe-post"};
}

std::vector<std::string> DefaultOversignedHeaders() {
  return {"from", "to", "cc", "subject", "date", "reply-to", "message-id",
          "list-id", "list-help", "list-unsubscribe", "list-subscribe",
          "list-post", "list-owner", "list-archive", "list-unsubscribe-post"};
}

}  // namespace sendguard::dkim

// dkim/message_signer.cc — fans one message out to the per-key signers.
#include "dkim/message_signer.h"

#include <cctype>

#include "dkim/digest_sign.h"
#include "idna/idna.h"

namespace sendguard::dkim {
namespace {

// The From domain becomes d= for "%" keys: it must not smuggle in tags.
bool SafeDomain(const std::string& d) {
  if (d.empty() || d.size() > 253) return false;
  for (unsigned char c : d)
    if (!(std::isalnum(c) || c == '-' || c == '.' || c == '_')) return false;
  return true;
}

}  // namespace

Result<std::unique_ptr<MessageSigner>> MessageSigner::Begin(std::shared_ptr<const KeySet> keys,
                                                            const std::string& from_header_domain,
                                                            int64_t now_seconds) {
  // d= is the A-label however the From header spells the domain (RFC 8616).
  Result<std::string> canonical = idna::CanonicalDomain(from_header_domain);
  const std::string from_domain = canonical.ok() ? *canonical : from_header_domain;
  std::vector<const KeyEntry*> entries = keys->KeysFor(from_domain);
  if (entries.empty()) return std::unique_ptr<MessageSigner>();
  std::unique_ptr<MessageSigner> s(new MessageSigner());
  s->now_ = now_seconds;
  const DkimOptions& opt = keys->options();
  for (const KeyEntry* e : entries) {
    if (e->domain == "%" && !SafeDomain(from_domain))
      return Status::InvalidArgument("dkim: From domain '" + from_domain + "' is not a valid d=");
    Slot slot{e, e->domain == "%" ? from_domain : e->domain, nullptr};
    if (e->key.type == KeyType::kRsa && opt.rsa_with_libopendkim) {
      auto m = OpenDkimMessage::Begin(keys->opendkim_shared(), e->key.pem, slot.domain,
                                      e->selector, opt.canon);
      if (!m.ok()) return m.status();
      slot.opendkim = std::move(m).value();
    } else if (!s->body_) {
      s->body_ = std::make_unique<BodyHasher>(opt.canon.body);
    }
    s->slots_.push_back(std::move(slot));
  }
  s->keys_ = std::move(keys);
  return s;
}

Status MessageSigner::Fail(Status s) {
  if (!s.ok() && failed_.ok()) failed_ = s;
  return s;
}

Status MessageSigner::AddHeader(std::string_view name, std::string_view value) {
  if (!failed_.ok()) return failed_;
  if (stage_ != Stage::kHeaders) return Fail(Status::Internal("dkim: header after end of headers"));
  for (Slot& slot : slots_)
    if (slot.opendkim) {
      Status s = slot.opendkim->AddHeader(name, value);
      if (!s.ok()) return Fail(s);
    }
  if (body_) headers_.push_back({std::string(name), std::string(value)});
  return Status::Ok();
}

Status MessageSigner::EndHeaders() {
  if (!failed_.ok()) return failed_;
  if (stage_ != Stage::kHeaders) return Fail(Status::Internal("dkim: end of headers twice"));
  stage_ = Stage::kBody;
  for (Slot& slot : slots_)
    if (slot.opendkim) {
      Status s = slot.opendkim->EndHeaders();
      if (!s.ok()) return Fail(s);
    }
  return Status::Ok();
}

Status MessageSigner::AddBody(std::string_view chunk) {
  if (!failed_.ok()) return failed_;
  if (stage_ != Stage::kBody) return Fail(Status::Internal("dkim: body outside the body stage"));
  for (Slot& slot : slots_)
    if (slot.opendkim) {
      Status s = slot.opendkim->AddBody(chunk);
      if (!s.ok()) return Fail(s);
    }
  if (body_) body_->Update(chunk);
  if (!chunk.empty()) {
    body_tail_ += chunk.substr(chunk.size() > 1 ? chunk.size() - 2 : 0);
    body_tail_.erase(0, body_tail_.size() > 2 ? body_tail_.size() - 2 : 0);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> MessageSigner::Finish() {
  if (stage_ == Stage::kHeaders && failed_.ok()) EndHeaders();
  if (!failed_.ok()) return failed_;
  if (stage_ != Stage::kBody) return Fail(Status::Internal("dkim: Finish called twice"));
  // SMTP ends every message with CRLF; libopendkim insists on seeing it.
  if (!body_tail_.empty() && body_tail_ != "\r\n" && !AddBody("\r\n").ok()) return failed_;
  stage_ = Stage::kDone;
  std::string body_hash;
  if (body_) {
    Result<Digest> bh = body_->Final();
    if (!bh.ok()) return Fail(bh.status());
    body_hash = Base64Encode(std::string_view(reinterpret_cast<const char*>(bh->data()), bh->size()));
  }
  std::vector<std::string> values;
  for (Slot& slot : slots_) {
    Result<std::string> v = slot.opendkim ? slot.opendkim->Finish() : SignOwn(slot, body_hash);
    if (!v.ok()) return Fail(v.status());
    values.push_back(std::move(v).value());
  }
  return values;
}

Result<std::string> MessageSigner::SignOwn(const Slot& slot, const std::string& body_hash) const {
  const DkimOptions& opt = keys_->options();
  const PrivateKey& key = slot.entry->key;
  HeaderSelection sel = SelectHeaders(headers_, opt.sign_headers, opt.oversign_headers);
  SignatureFields f{AlgorithmName(key.type), opt.canon, slot.domain, slot.entry->selector, now_,
                    opt.expiry_seconds > 0 ? now_ + opt.expiry_seconds : 0,
                    std::move(sel.h_names), body_hash};
  std::string value = FormatSignature(f);
  std::string hashed;  // the signed headers, then this DKIM-Signature, canonicalized
  hashed.reserve(1024);
  for (size_t i : sel.hashed)
    AppendCanonicalHeader(opt.canon.header, headers_[i].name, headers_[i].value, &hashed);
  AppendCanonicalHeader(opt.canon.header, "DKIM-Signature", value, &hashed);
  hashed.resize(hashed.size() - 2);  // the signature header is hashed without its CRLF
  Sha256 sha;
  sha.Update(hashed);
  Result<Digest> digest = sha.Final();
  if (!digest.ok()) return digest.status();
  Result<std::string> sig = SignDigest(key, *digest);
  if (!sig.ok()) return sig.status();
  return value + FoldBase64(Base64Encode(*sig));
}

std::string ToMilterValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i)
    if (!(value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n')) out.push_back(value[i]);
  return out;
}

}  // namespace sendguard::dkim

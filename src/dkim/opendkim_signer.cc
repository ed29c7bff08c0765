// dkim/opendkim_signer.cc — the thin C boundary to libopendkim 2.11.
//
// Traps of the Debian 12 build handled here: stdbool.h before dkim.h;
// canonicalization always explicit; list options passed as NULL-terminated
// arrays with len == sizeof(char**); DKIM_OPTS_FLAGS takes a uint32_t.
// Only RSA goes through this file: libopendkim 2.11.0~beta2 leaks its Ed25519
// state on dkim_free, so Ed25519 is always signed in digest_sign.cc
// (and, by default, RSA too: see DkimOptions::rsa_with_libopendkim).
#include "dkim/opendkim_signer.h"

#include <stdbool.h>
#include <opendkim/dkim.h>

#include <atomic>
#include <vector>

namespace sendguard::dkim {
namespace {

std::atomic<uint64_t> message_counter{0};

// Keeps the strings alive and hands libopendkim a NULL-terminated char*[].
struct CStringList {
  explicit CStringList(const std::vector<std::string>& names) : strings(names) {
    for (std::string& s : strings) pointers.push_back(s.data());
    pointers.push_back(nullptr);
  }
  std::vector<std::string> strings;
  std::vector<char*> pointers;
};

std::string StatusText(DKIM_STAT stat) {
  const char* text = dkim_getresultstr(stat);
  return text ? text : ("DKIM_STAT " + std::to_string(stat));
}

dkim_canon_t ToLib(Canon c) { return c == Canon::kRelaxed ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE; }

}  // namespace

struct OpenDkimLibrary::Impl {
  DKIM_LIB* lib = nullptr;
  ~Impl() { if (lib) dkim_close(lib); }
};

OpenDkimLibrary::~OpenDkimLibrary() = default;

Result<std::shared_ptr<const OpenDkimLibrary>> OpenDkimLibrary::Create(const DkimOptions& options) {
  std::shared_ptr<OpenDkimLibrary> lib(new OpenDkimLibrary());
  lib->impl_ = std::make_unique<Impl>();
  lib->impl_->lib = dkim_init(nullptr, nullptr);
  if (lib->impl_->lib == nullptr) return Status::Internal("libopendkim: dkim_init failed");
  Status s = lib->Configure(options);
  if (!s.ok()) return s;
  return std::shared_ptr<const OpenDkimLibrary>(lib);
}

Status OpenDkimLibrary::Configure(const DkimOptions& options) {
  DKIM_LIB* lib = impl_->lib;
  uint32_t flags = DKIM_LIBFLAGS_DEFAULT;  // no FIXCRLF: same bytes as ed25519 path
  CStringList sign(options.sign_headers), over(options.oversign_headers);
  uint64_t ttl = static_cast<uint64_t>(options.expiry_seconds);
  uint64_t fixed = options.fixed_time_for_tests;
  DKIM_STAT st = dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags);
  if (st == DKIM_STAT_OK)
    st = dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, sign.pointers.data(), sizeof(char**));
  if (st == DKIM_STAT_OK)
    st = dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, over.pointers.data(), sizeof(char**));
  if (st == DKIM_STAT_OK && ttl > 0)
    st = dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNATURETTL, &ttl, sizeof ttl);
  if (st == DKIM_STAT_OK && fixed > 0)
    st = dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed, sizeof fixed);
  if (st != DKIM_STAT_OK) return Status::Internal("libopendkim: dkim_options: " + StatusText(st));
  return Status::Ok();
}

struct OpenDkimMessage::Impl {
  std::shared_ptr<const OpenDkimLibrary> library;
  std::string pem;
  DKIM* dkim = nullptr;
  std::string header;  // reused buffer for "Name:value"
  ~Impl() { if (dkim) dkim_free(dkim); }

  Status Check(DKIM_STAT st, const char* what) {
    if (st == DKIM_STAT_OK) return Status::Ok();
    const char* detail = dkim ? dkim_geterror(dkim) : nullptr;
    return Status::Internal(std::string("libopendkim: ") + what + ": " + StatusText(st) +
                            (detail && *detail ? std::string(" (") + detail + ")" : ""));
  }
};

OpenDkimMessage::OpenDkimMessage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OpenDkimMessage::~OpenDkimMessage() = default;

Result<std::unique_ptr<OpenDkimMessage>> OpenDkimMessage::Begin(
    std::shared_ptr<const OpenDkimLibrary> library, const std::string& pem,
    const std::string& domain, const std::string& selector, CanonPair canon) {
  auto impl = std::make_unique<Impl>();
  impl->library = std::move(library);
  impl->pem = pem;
  std::string id = "sendguard-" + std::to_string(++message_counter);
  DKIM_STAT st = DKIM_STAT_OK;
  impl->dkim = dkim_sign(impl->library->impl_->lib, reinterpret_cast<const unsigned char*>(id.c_str()),
                         nullptr, reinterpret_cast<dkim_sigkey_t>(impl->pem.data()),
                         reinterpret_cast<const unsigned char*>(selector.c_str()),
                         reinterpret_cast<const unsigned char*>(domain.c_str()),
                         ToLib(canon.header), ToLib(canon.body), DKIM_SIGN_RSASHA256, -1, &st);
  if (impl->dkim == nullptr) return impl->Check(st == DKIM_STAT_OK ? DKIM_STAT_INTERNAL : st, "dkim_sign");
  return std::unique_ptr<OpenDkimMessage>(new OpenDkimMessage(std::move(impl)));
}

Status OpenDkimMessage::AddHeader(std::string_view name, std::string_view value) {
  std::string& h = impl_->header;
  h.assign(name).append(":").append(value);
  return impl_->Check(dkim_header(impl_->dkim, reinterpret_cast<u_char*>(h.data()), h.size()),
                      "dkim_header");
}

Status OpenDkimMessage::EndHeaders() { return impl_->Check(dkim_eoh(impl_->dkim), "dkim_eoh"); }

Status OpenDkimMessage::AddBody(std::string_view chunk) {
  if (chunk.empty()) return Status::Ok();
  // dkim_body does not modify the buffer; the API just lacks const.
  u_char* data = reinterpret_cast<u_char*>(const_cast<char*>(chunk.data()));
  return impl_->Check(dkim_body(impl_->dkim, data, chunk.size()), "dkim_body");
}

Result<std::string> OpenDkimMessage::Finish() {
  Status s = impl_->Check(dkim_eom(impl_->dkim, nullptr), "dkim_eom");
  if (!s.ok()) return s;
  u_char* buf = nullptr;
  size_t len = 0;
  s = impl_->Check(dkim_getsighdr_d(impl_->dkim, sizeof("DKIM-Signature: ") - 1, &buf, &len),
                   "dkim_getsighdr_d");
  if (!s.ok()) return s;
  std::string value = " ";
  for (size_t i = 0; i < len; ++i) {  // libopendkim folds with "\n\t" or "\r\n\t"
    if (buf[i] == '\n' && (value.empty() || value.back() != '\r')) value.push_back('\r');
    value.push_back(static_cast<char>(buf[i]));
  }
  return value;
}

}  // namespace sendguard::dkim

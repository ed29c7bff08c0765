// dkim/keygen.cc — key generation and TXT record formatting with OpenSSL.
#include "dkim/keygen.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "dkim/sha256.h"

namespace sendguard::dkim {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Result<PkeyPtr> NewKey(const KeygenOptions& o) {
  EVP_PKEY* key = o.type == KeyType::kRsa
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(o.bits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return Status::Internal("OpenSSL key generation failed");
  return PkeyPtr(key, EVP_PKEY_free);
}

Result<std::string> ToPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return Status::Internal("BIO_new failed");
  std::string pem;
  if (PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    if (n > 0) pem.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  if (pem.empty()) return Status::Internal("PEM encoding of the new key failed");
  return pem;
}

std::string ZoneRecord(const KeygenOptions& o, const std::string& txt) {
  std::string out = o.selector + "._domainkey." + o.domain + ". IN TXT (";
  for (size_t i = 0; i < txt.size(); i += 255)
    out += (i == 0 ? " \"" : "\n\t\"") + txt.substr(i, 255) + "\"";
  return out + " )\n";
}

Status WriteNewFile(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IoError(path + ": cannot create: " + std::strerror(errno));
  bool ok = fchmod(fd, 0600) == 0 &&
            write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int saved = errno;
  ok = (close(fd) == 0) && ok;
  if (ok) return Status::Ok();
  unlink(path.c_str());
  return Status::IoError(path + ": write failed: " + std::strerror(saved));
}

bool ValidLabel(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '-' || c == '.' || c == '_')) return false;
  return true;
}

}  // namespace

Result<std::string> PublicKeyBase64(const PrivateKey& key) {
  EVP_PKEY* pk = key.pkey.get();
  if (key.type == KeyType::kEd25519) {
    unsigned char raw[32];
    size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(pk, raw, &len) != 1 || len != 32)
      return Status::Internal("cannot extract the Ed25519 public key");
    return Base64Encode(std::string_view(reinterpret_cast<char*>(raw), len));
  }
  int len = i2d_PUBKEY(pk, nullptr);
  if (len <= 0) return Status::Internal("cannot DER-encode the RSA public key");
  std::string der(static_cast<size_t>(len), '\0');
  unsigned char* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PUBKEY(pk, &p) != len) return Status::Internal("cannot DER-encode the RSA public key");
  return Base64Encode(der);
}

Result<std::string> DkimTxtValue(const PrivateKey& key) {
  Result<std::string> p = PublicKeyBase64(key);
  if (!p.ok()) return p.status();
  return std::string("v=DKIM1; k=") + (key.type == KeyType::kRsa ? "rsa" : "ed25519") +
         "; p=" + *p;
}

Result<KeygenResult> GenerateKey(const KeygenOptions& o) {
  if (!ValidLabel(o.domain)) return Status::InvalidArgument("keygen: bad --domain '" + o.domain + "'");
  if (!ValidLabel(o.selector)) return Status::InvalidArgument("keygen: bad --selector '" + o.selector + "'");
  if (o.type == KeyType::kRsa && (o.bits < 1024 || o.bits > 8192))
    return Status::InvalidArgument("keygen: --bits must be between 1024 and 8192");
  Result<PkeyPtr> key = NewKey(o);
  if (!key.ok()) return key.status();
  Result<std::string> pem = ToPem(key->get());
  if (!pem.ok()) return pem.status();
  PrivateKey pk{o.type, 0, *pem, std::shared_ptr<EVP_PKEY>(key->release(), EVP_PKEY_free)};
  Result<std::string> txt = DkimTxtValue(pk);
  if (!txt.ok()) return txt.status();
  KeygenResult r{o.dir + "/" + o.selector + ".private", ZoneRecord(o, *txt)};
  Status s = WriteNewFile(r.private_key_path, *pem);
  if (!s.ok()) return s;
  return r;
}

namespace {

Status ParseArgs(const std::vector<std::string>& args, KeygenOptions* o) {
  for (size_t i = 0; i < args.size(); i += 2) {
    const std::string& flag = args[i];
    if (i + 1 >= args.size()) return Status::InvalidArgument(flag + " needs a value");
    const std::string& v = args[i + 1];
    if (flag == "--domain") o->domain = v;
    else if (flag == "--selector") o->selector = v;
    else if (flag == "--dir") o->dir = v;
    else if (flag == "--type" && (v == "rsa" || v == "ed25519"))
      o->type = v == "rsa" ? KeyType::kRsa : KeyType::kEd25519;
    else if (flag == "--bits" && !v.empty() && v.size() < 6 &&
             v.find_first_not_of("0123456789") == std::string::npos)
      o->bits = std::stoi(v);
    else return Status::InvalidArgument("bad argument " + flag + " " + v);
  }
  if (o->domain.empty() || o->selector.empty())
    return Status::InvalidArgument("--domain and --selector are required");
  return Status::Ok();
}

}  // namespace

int RunKeygenCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  KeygenOptions o;
  Status s = ParseArgs(args, &o);
  if (!s.ok()) {
    err << "sendguard keygen: " << s.message() << "\nusage: sendguard keygen --domain D "
        << "--selector S [--type rsa|ed25519] [--bits N] [--dir DIR]\n";
    return 2;
  }
  Result<KeygenResult> r = GenerateKey(o);
  if (!r.ok()) {
    err << "sendguard keygen: " << r.status().message() << "\n";
    return 1;
  }
  err << "wrote " << r->private_key_path << " (mode 0600); its key table line (it signs once DNS shows the record):\n"
      << "  " << o.selector << "._domainkey." << o.domain << " " << o.domain << ":" << o.selector << ":"
      << r->private_key_path << " require-published\n"
      << "publish this record:\n";
  out << r->txt_record;
  return 0;
}

}  // namespace sendguard::dkim

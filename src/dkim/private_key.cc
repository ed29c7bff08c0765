// dkim/private_key.cc — permission checks and PEM parsing of key files, and
// the signing context prepared once per loaded key.
#include "dkim/private_key.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "dkim/digest_sign.h"

namespace sendguard::dkim {
namespace {

constexpr size_t kMaxKeyFileBytes = 64 * 1024;

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Status CheckMode(const std::string& path, const struct stat& st, bool allow_group) {
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + ": not a regular file");
  mode_t forbidden = allow_group ? (S_IROTH | S_IWOTH | S_IWGRP) : (S_IRWXG | S_IRWXO);
  if ((st.st_mode & forbidden) == 0) return Status::Ok();
  return Status::InvalidArgument(
      path + ": private key is accessible by group or others (mode " + Octal(st.st_mode) +
      "); chmod 600 it" + (allow_group ? "" : " or allow group-readable keys"));
}

Result<std::string> ReadKeyText(const std::string& path, bool allow_group) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Status::IoError(path + ": cannot open key file: " + std::strerror(errno));
  struct stat st;
  Status s = fstat(fd, &st) == 0 ? CheckMode(path, st, allow_group)
                                 : Status::IoError(path + ": " + std::strerror(errno));
  std::string text;
  if (s.ok() && static_cast<size_t>(st.st_size) > kMaxKeyFileBytes)
    s = Status::InvalidArgument(path + ": too large for a private key");
  char buf[4096];
  for (ssize_t n; s.ok() && (n = read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0) s = Status::IoError(path + ": read error: " + std::strerror(errno));
    else text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (!s.ok()) return s;
  return text;
}

Result<std::shared_ptr<EVP_PKEY>> ParsePem(const std::string& path, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return Status::Internal("BIO_new_mem_buf failed");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, const_cast<char*>(""));
  BIO_free(bio);
  if (key == nullptr)
    return Status::InvalidArgument(path + ": not a PEM private key (corrupt or encrypted)");
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

}  // namespace

Result<PrivateKey> LoadPrivateKey(const std::string& path, bool allow_group_readable) {
  Result<std::string> text = ReadKeyText(path, allow_group_readable);
  if (!text.ok()) return text.status();
  Result<std::shared_ptr<EVP_PKEY>> pkey = ParsePem(path, *text);
  if (!pkey.ok()) return pkey.status();
  PrivateKey key;
  key.pem = std::move(text).value();
  key.pkey = *pkey;
  int id = EVP_PKEY_get_base_id(key.pkey.get());
  if (id == EVP_PKEY_ED25519) {
    key.type = KeyType::kEd25519;
    key.bits = 256;
  } else if (id == EVP_PKEY_RSA) {
    key.type = KeyType::kRsa;
    key.bits = EVP_PKEY_get_bits(key.pkey.get());
    if (key.bits < 1024)
      return Status::InvalidArgument(path + ": RSA key of " + std::to_string(key.bits) +
                                     " bits is too small (RFC 8301 wants at least 1024)");
  } else {
    return Status::InvalidArgument(path + ": key is neither RSA nor Ed25519");
  }
  Result<std::shared_ptr<const PreparedSigner>> signer = PrepareSigner(key);
  if (!signer.ok()) return Status::InvalidArgument(path + ": " + signer.status().message());
  key.signer = *signer;
  return key;
}

}  // namespace sendguard::dkim

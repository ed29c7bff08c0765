// dkim/key_set.h — the loaded key table and signing table: which From domain
// signs with which keys.
//
// Contract: KeySet::Load reads both tables and every key file they name, all
// or nothing: any error (unreadable or unsafe key file, corrupt key, unknown
// key name, bad line) fails the whole load with a Status naming file:line, so
// on reload the caller simply keeps its old shared_ptr. Load runs at startup
// (before privileges are dropped) and on reload, never per message.
// Lookup: exact domain first, then the longest "*.suffix" pattern matching a
// subdomain, then "*". Domains compare case-insensitively.
// Thread-safety: a loaded KeySet is immutable; share it between threads via
// shared_ptr<const KeySet>. (The OpenSSL signing context each key carries is
// only ever duplicated per signature, never used in place: dkim/digest_sign.h.)
#ifndef SENDGUARD_DKIM_KEY_SET_H_
#define SENDGUARD_DKIM_KEY_SET_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "dkim/options.h"
#include "dkim/private_key.h"

namespace sendguard::dkim {

class OpenDkimLibrary;

struct KeyEntry {
  std::string name;      // key table name
  std::string domain;    // d= ("%" in the table: the From domain)
  std::string selector;  // s=
  std::string path;      // key file, as resolved
  PrivateKey key;
};

class KeySet {
 public:
  static Result<std::shared_ptr<const KeySet>> Load(const DkimOptions& options);

  // Keys to sign a message whose header From domain is from_domain, in
  // signing-table order; empty when the domain is not in the signing table.
  std::vector<const KeyEntry*> KeysFor(const std::string& from_domain) const;
  const DkimOptions& options() const { return options_; }
  const std::shared_ptr<const OpenDkimLibrary>& opendkim_shared() const { return opendkim_; }
  size_t key_count() const { return keys_.size(); }

 private:
  KeySet() = default;
  Status LoadKeyTable();
  Status LoadSigningTable();
  Result<std::vector<size_t>> KeyIndices(const std::vector<std::string>& names,
                                         const std::string& where) const;

  DkimOptions options_;
  std::vector<KeyEntry> keys_;
  std::map<std::string, std::vector<size_t>> exact_;     // "example.com"
  std::map<std::string, std::vector<size_t>> suffixes_;  // ".example.com"
  std::vector<size_t> catch_all_;                        // "*"
  std::shared_ptr<const OpenDkimLibrary> opendkim_;
};

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_KEY_SET_H_

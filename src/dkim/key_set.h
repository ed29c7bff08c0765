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
// A key table line may end with the flag "require-published" (what `keygen`
// and `keys rotate` write): with [dkim] require_published_key on, the parent
// holds such a key back until DNS shows its record (dkim/key_check.h).
// WithHeldBack() is how: a copy of the set in which the named keys do not
// sign; KeysFor() skips them and HeldFor() says which and why.
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
  bool require_published = false;  // the key table line says "require-published"
};

struct HeldKey {
  const KeyEntry* entry = nullptr;
  std::string reason;  // e.g. "record missing", "retired by a rotation"
};

class KeySet {
 public:
  static Result<std::shared_ptr<const KeySet>> Load(const DkimOptions& options);

  // Keys to sign a message whose header From domain is from_domain, in
  // signing-table order; empty when the domain is not in the signing table.
  std::vector<const KeyEntry*> KeysFor(const std::string& from_domain) const;
  // The keys the signing table lists for from_domain that are held back.
  std::vector<HeldKey> HeldFor(const std::string& from_domain) const;
  // This set with the keys named in `held` (key name -> reason) held back.
  std::shared_ptr<const KeySet> WithHeldBack(std::map<std::string, std::string> held) const;
  const std::map<std::string, std::string>& held_back() const { return held_; }
  const std::vector<KeyEntry>& entries() const { return keys_; }
  // The domains the signing table names exactly (no patterns), sorted.
  std::vector<std::string> ExactDomains() const;
  // The key names the signing table lists for exactly `domain`, in order.
  std::vector<std::string> ExactEntryFor(const std::string& domain) const;
  const DkimOptions& options() const { return options_; }
  const std::shared_ptr<const OpenDkimLibrary>& opendkim_shared() const { return opendkim_; }
  size_t key_count() const { return keys_.size(); }

 private:
  KeySet() = default;
  Status LoadKeyTable();
  Status LoadSigningTable();
  const std::vector<size_t>* Lookup(const std::string& from_domain) const;
  Result<std::vector<size_t>> KeyIndices(const std::vector<std::string>& names,
                                         const std::string& where) const;

  DkimOptions options_;
  std::vector<KeyEntry> keys_;
  std::map<std::string, std::vector<size_t>> exact_;     // "example.com"
  std::map<std::string, std::vector<size_t>> suffixes_;  // ".example.com"
  std::vector<size_t> catch_all_;                        // "*"
  std::shared_ptr<const OpenDkimLibrary> opendkim_;
  std::map<std::string, std::string> held_;  // key name -> why it does not sign
};

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_KEY_SET_H_

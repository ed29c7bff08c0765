// dkim/key_check.h — is each key of the key table published in DNS as it is
// on disk? `sendguard keys check` and the daemon's periodic checks.
//
// Contract: ProbesOf() takes from a loaded KeySet what a check needs (names,
// SELECTOR._domainkey.DOMAIN, the public key as p= would carry it), so a
// check never touches a private key. CheckKey() looks the record up through
// the given resolver and judges it (JudgeAnswer, pure): match, weak (matches,
// but RSA < 2048 bits), mismatch (another key, another k=, h=/s= excluding
// sha256/email, several key records, or a record that does not parse),
// missing (no key record), revoked (p= empty), unreachable (DNS tempfail or
// timeout: says nothing about the record) or unchecked (a "%" key, whose
// domain is the From domain of each message). A key is usable for signing
// when the record matches (weak included).
// The reports: one line per key (text) or one JSON object for monitoring;
// EncodeCheck/DecodeCheck carry a result over a pipe, one line each.
// Thread-safety: pure functions; the resolver is the caller's.
#ifndef SENDGUARD_DKIM_KEY_CHECK_H_
#define SENDGUARD_DKIM_KEY_CHECK_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "dkim/key_set.h"
#include "dns/txt_resolver.h"

namespace sendguard::dkim {

enum class KeyState { kMatch, kWeak, kMismatch, kMissing, kRevoked, kUnreachable, kUnchecked };

const char* KeyStateName(KeyState state);
bool ParseKeyState(const std::string& name, KeyState* out);
inline bool Usable(KeyState s) { return s == KeyState::kMatch || s == KeyState::kWeak; }
inline bool IsProblem(KeyState s) { return s != KeyState::kMatch && s != KeyState::kUnchecked; }

struct KeyProbe {
  std::string name;        // key table name
  std::string domain;      // d=, or "%"
  std::string selector;
  KeyType type = KeyType::kRsa;
  int bits = 0;            // RSA only
  std::string public_key;  // base64, as p= must carry it
  bool require_published = false;

  std::string RecordName() const { return selector + "._domainkey." + domain; }
  // Same name, record and key: a cached result of one applies to the other.
  std::string Fingerprint() const { return name + " " + RecordName() + " " + public_key; }
};

Result<std::vector<KeyProbe>> ProbesOf(const KeySet& keys);

struct KeyCheck {
  KeyState state = KeyState::kUnreachable;
  std::string detail;                // why, for people; "" for a plain match
  std::vector<std::string> aliases;  // the CNAMEs followed
  bool testing = false;              // t=y
};

KeyCheck JudgeAnswer(const KeyProbe& probe, const dns::TxtAnswer& answer);
KeyCheck CheckKey(const KeyProbe& probe, dns::TxtResolver& resolver);

// "match      rsa2048._domainkey.example.org  key=rsa rsa-2048\n" per key.
std::string CheckReportText(const std::vector<KeyProbe>& probes, const std::vector<KeyCheck>& checks);
// {"keys":[{"key":..,"record":..,"state":..,"usable":..,...}],"problems":N}
std::string CheckReportJson(const std::vector<KeyProbe>& probes, const std::vector<KeyCheck>& checks);

std::string EncodeCheck(size_t index, const KeyCheck& check);
bool DecodeCheck(const std::string& line, size_t* index, KeyCheck* check);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_KEY_CHECK_H_

// session/identity.h — who is sending, as counted and logged: the SASL login
// ({auth_authen}), else the client address if it is in a trusted network,
// else an untrusted client (not counted, never signed for).
//
// Contract: DetermineIdentity is pure. Thread-safety: plain values.
#ifndef SENDGUARD_SESSION_IDENTITY_H_
#define SENDGUARD_SESSION_IDENTITY_H_

#include <string>

#include "config/config.h"

namespace sendguard {

struct Identity {
  enum class Kind { kLogin, kTrustedAddress, kUntrusted };
  Kind kind = Kind::kUntrusted;
  std::string name;     // the (normalised) login, or the client address
  std::string written;  // the login as the client sent it ("" for addresses)
  std::string ToString() const;
};

Identity DetermineIdentity(const Config& config, const std::string& auth_authen,
                           const std::string& client_addr);

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_IDENTITY_H_

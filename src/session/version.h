// session/version.h — the one place the version number lives.
#ifndef SENDGUARD_SESSION_VERSION_H_
#define SENDGUARD_SESSION_VERSION_H_

namespace sendguard {
inline constexpr const char* kSendguardVersion = "0.1.0";
}  // namespace sendguard

#endif  // SENDGUARD_SESSION_VERSION_H_

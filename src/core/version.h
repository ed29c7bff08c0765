// core/version.h — the one place the version number lives.
#ifndef SENDGUARD_CORE_VERSION_H_
#define SENDGUARD_CORE_VERSION_H_

namespace sendguard {
inline constexpr const char* kSendguardVersion = "0.1.0";
}  // namespace sendguard

#endif  // SENDGUARD_CORE_VERSION_H_

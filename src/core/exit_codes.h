// core/exit_codes.h — the process exit codes of every sendguard command, from
// sysexits(3), so init systems and scripts can tell a bad configuration
// (do not restart) from a crash (restart).
// Thread-safety: constants.
#ifndef SENDGUARD_CORE_EXIT_CODES_H_
#define SENDGUARD_CORE_EXIT_CODES_H_

namespace sendguard {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;   // EX_USAGE: bad command line
inline constexpr int kExitConfig = 78;  // EX_CONFIG: configuration, policies, rules or keys do not load

}  // namespace sendguard

#endif  // SENDGUARD_CORE_EXIT_CODES_H_

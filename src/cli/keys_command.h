// cli/keys_command.h — `sendguard keys ...`: are the DKIM keys published,
// and selector rotations from the first step to the last.
//
//   keys check [--json]           look up SELECTOR._domainkey.DOMAIN of every key (the
//                                 system resolver, or spf.dns_data_file) and judge it:
//                                 match, weak, mismatch, missing, revoked, unreachable, unchecked
//   keys status [--json]          each signing domain's keys and rotation stage
//   keys rotate --domain D [--type rsa|ed25519] [--bits N] [--selector S] [--key NAME] [--grace 7d]
//                                 make the next selector's key, add it to the key and signing
//                                 tables (require-published), print the record to publish
//   keys retire --domain D [--force]
//                                 after the grace period: drop the old key from the tables and
//                                 say which record may now be removed from DNS
//
// Contract: returns the exit code: 0 ok; 1 when a check found a problem (any
// state but match and unchecked), a rotation step is refused, or a file
// cannot be written; 64 bad usage; 78 the configuration or tables do not
// load. `keys check` also moves a rotation from publish to grace when it
// sees the new record. rotate and retire ask a running daemon to reload (it
// reads the changed tables); without one they say so and succeed.
// Thread-safety: a command-line entry point.
#ifndef SENDGUARD_CLI_KEYS_COMMAND_H_
#define SENDGUARD_CLI_KEYS_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace sendguard {

int RunKeysCommand(const std::vector<std::string>& args, const std::string& config_path, std::ostream& out,
                   std::ostream& err);

}  // namespace sendguard

#endif  // SENDGUARD_CLI_KEYS_COMMAND_H_

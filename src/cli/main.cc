// cli/main.cc — the `sendguard` command: dispatches subcommands.
//
//   sendguard run -c FILE [--socket SPEC] [--foreground]
//   sendguard check-config -c FILE [--postfix-config DIR]
//   sendguard reload -c FILE | status -c FILE
//   sendguard quota | lint | scan | keygen ...
//   sendguard --version | help
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/abuse_command.h"
#include "cli/daemon.h"
#include "cli/keys_command.h"
#include "core/exit_codes.h"
#include "core/version.h"
#include "dkim/keygen.h"
#include "http/password.h"
#include "policy/actions.h"
#include "policyd/stage_check.h"
#include "quota/quota_cli.h"
#include "rules/commands.h"
#include "session/runtime.h"
#include "spf/spf_helper.h"
#include "config/config.h"
#include "session/snapshot.h"

namespace sendguard {
namespace {

constexpr const char* kDefaultConfig = "/etc/sendguard/sendguard.conf";

const char* kUsage =
    "usage: sendguard COMMAND [OPTIONS]\n"
    "\n"
    "  run -c FILE [--socket SPEC] [--foreground]\n"
    "                      run the milter daemon; SPEC is unix:/path or inet:PORT@HOST\n"
    "  check-config -c FILE [--postfix-config DIR]\n"
    "                      validate the configuration and everything it loads, then exit;\n"
    "                      with [policy] listen, warn where Postfix (postconf, -c DIR)\n"
    "                      attaches check_policy_service at a stage where it cannot work\n"
    "  reload -c FILE      reload the running daemon; waits, and exits non-zero with\n"
    "                      file:line when the new configuration does not load\n"
    "  status -c FILE      the running daemon's workers, crash loops and SPF helpers\n"
    "  reopen-logs -c FILE the running daemon opens its decision log again (logrotate)\n"
    "  console-passwd USER a console login line (user:argon2id hash) from the password on stdin\n"
    "  quota show USER | top [-n N] | reset USER | set-class USER CLASS | clear-class USER\n"
    "                      [-c FILE] [--json]: read and change quota counts (daemon may run)\n"
    "  abuse learn --postfix-log FILE... | list [--all] | show USER | history USER | suspend USER [--for 24h] [--reason R]\n"
    "        | release USER [--deliver-held|--delete-held]   [-c FILE]\n"
    "                      see and change compromised-account states (shared by all relays)\n"
    "  lint [--lenient] [--list] [PATH...] [-c FILE]\n"
    "                      load rules as the daemon would and list every problem\n"
    "  scan [--explain | --list] [--all | --run needed|nonzero|all] [--rules PATH]... [-c FILE] FILE.eml...\n"
    "                      run one message through the content rules, show hits and action\n"
    "  keys check [--json] | status [--json] [-c FILE]\n"
    "                      is each DKIM key's record in DNS as on disk; rotation stages\n"
    "  keys rotate --domain D [--type rsa|ed25519] [--selector S] [--grace 7d] [-c FILE]\n"
    "                      the next selector's key; signing switches once DNS shows it\n"
    "  keys retire --domain D [--force] [-c FILE]\n"
    "                      after the grace period: drop the old key, say which record may go\n"
    "  keygen --domain D --selector S [--type rsa|ed25519] [--bits N] [--dir DIR]\n"
    "                      make a DKIM key (mode 0600) and print the DNS record to publish\n"
    "  help config         print every configuration key with its default\n"
    "  --version           print the version\n"
    "\n"
    "FILE defaults to /etc/sendguard/sendguard.conf.\n";

struct Args {
  std::string config = kDefaultConfig;
  std::string socket;
  bool foreground = false;
  std::vector<std::string> rest;
  std::string error;
};

Args ParseArgs(const std::vector<std::string>& argv) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    bool has_next = i + 1 < argv.size();
    if ((s == "-c" || s == "--config") && has_next) a.config = argv[++i];
    else if (s == "--socket" && has_next) a.socket = argv[++i];
    else if (s == "--foreground" || s == "-f") a.foreground = true;
    else if (s == "-c" || s == "--config" || s == "--socket") a.error = s + " needs a value";
    else a.rest.push_back(s);
  }
  return a;
}

// Output of `postconf ARGS... [-c DIR]`, or an error when it cannot run.
Result<std::string> Postconf(const std::vector<std::string>& args, const std::string& dir) {
  std::string command = "postconf";
  for (const std::string& arg : args) command += " " + arg;
  if (!dir.empty()) command += " -c '" + dir + "'";
  if (dir.find('\'') != std::string::npos) return Status::InvalidArgument("--postfix-config: a quote in the path");
  FILE* p = popen((command + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return Status::Unavailable("cannot run postconf");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Unavailable("`" + command + "` failed (is Postfix installed?)");
  }
  return out;
}

// Warnings about where Postfix consults the policy service (stage_check.h).
void CheckPolicyStages(const Config& c, const std::string& postfix_dir) {
  if (c.policy.listen.empty()) return;
  Result<std::string> main_cf = Postconf({"-x"}, postfix_dir);
  if (!main_cf.ok()) {
    std::cerr << "note: Postfix's restrictions not checked: " << main_cf.status().message() << "\n";
    return;
  }
  Result<std::string> master = Postconf({"-P", "-x"}, postfix_dir);  // fails without a master.cf
  for (const std::string& w : policyd::StageWarnings(policyd::ParsePostconf(*main_cf),
                                                     policyd::ParsePostconf(master.ok() ? *master : ""),
                                                     c.policy.listen)) {
    std::cerr << "warning: " << w << "\n";
  }
}

// `console-passwd USER`: the password from stdin (first line) -> a line for
// [http] console_users_file.
int ConsolePasswd(const Args& a) {
  if (a.rest.size() != 1 || a.rest[0].empty() || a.rest[0].find(':') != std::string::npos) {
    std::cerr << "usage: sendguard console-passwd USER   (the password on stdin)\n";
    return kExitUsage;
  }
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    std::cerr << "sendguard: no password on stdin\n";
    return kExitUsage;
  }
  Result<std::string> hash = http::HashPassword(password);
  if (!hash.ok()) return std::cerr << "sendguard: " << hash.status().message() << "\n", 1;
  std::cout << a.rest[0] << ":" << *hash << "\n";
  return 0;
}

int CheckConfig(const Args& a) {
  Result<std::shared_ptr<const Snapshot>> snap = LoadSnapshot(a.config);
  if (!snap.ok()) {
    std::cerr << "sendguard: " << snap.status().message() << "\n";
    return kExitConfig;
  }
  std::string postfix_dir;
  for (size_t i = 0; i + 1 < a.rest.size(); ++i) {
    if (a.rest[i] == "--postfix-config") postfix_dir = a.rest[i + 1];
  }
  CheckPolicyStages((*snap)->config, postfix_dir);
  std::cout << a.config << ": ok\n";
  return 0;
}

int Quota(const Args& a) {
  Result<Config> config = LoadConfig(a.config);
  if (!config.ok()) {
    std::cerr << "sendguard: " << config.status().message() << "\n";
    return kExitConfig;
  }
  if (!config->quota_enabled()) {
    std::cerr << "sendguard: quotas are off in " << a.config << " ([quota] policy_file is not set)\n";
    return kExitConfig;
  }
  const Config& c = *config;
  quota::StoreOpener open = [&c]() { return OpenQuotaStore(c, /*for_cli=*/true); };
  return quota::RunQuotaCommand(a.rest, c.quota, open, SystemClock::Instance(), std::cout, std::cerr);
}

// lint / scan use the configuration's rules, limits and thresholds when the
// configuration file can be read, else the shipped defaults (rules/).
rules::CommandOptions RuleCommandOptions(const Args& a) {
  rules::CommandOptions o;
  Result<std::shared_ptr<const Snapshot>> snap = LoadSnapshot(a.config);
  if (!snap.ok()) {
    Result<Config> config = LoadConfig(a.config);
    if (!config.ok()) return o;  // no configuration: shipped defaults
    if (!config->rule_paths.empty()) o.default_rule_paths = config->rule_paths;
    o.load = config->rule_load;
    o.limits = config->scan_limits;
    return o;
  }
  const Config& c = (*snap)->config;
  if (!c.rule_paths.empty()) o.default_rule_paths = c.rule_paths;
  o.load = c.rule_load;
  o.limits = c.scan_limits;
  o.thresholds = (*snap)->actions->For("default");
  return o;
}

int Main(int argc, char** argv) {
  // The SPF helper runs before anything else: no config, no threads, no keys.
  if (argc >= 2 && std::string(argv[1]) == "spf-helper") return spf::SpfHelperSubcommandMain();
  std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  std::string cmd = all[0];
  Args a = ParseArgs(std::vector<std::string>(all.begin() + 1, all.end()));
  if (!a.error.empty()) {
    std::cerr << "sendguard: " << a.error << "\n" << kUsage;
    return kExitUsage;
  }
  if (cmd == "--version" || cmd == "version") {
    std::cout << "sendguard " << kSendguardVersion << "\n";
    return 0;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    if (!a.rest.empty() && a.rest[0] == "config") std::cout << ConfigReference();
    else std::cout << kUsage;
    return 0;
  }
  if (cmd == "run") return RunDaemon(RunOptions{a.config, a.socket, a.foreground});
  if (cmd == "check-config") return CheckConfig(a);
  if (cmd == "reload") return SendReload(a.config);
  if (cmd == "status") return SendStatus(a.config);
  if (cmd == "reopen-logs") return SendReopenLogs(a.config);
  if (cmd == "console-passwd") return ConsolePasswd(a);
  if (cmd == "quota") return Quota(a);
  if (cmd == "abuse") return RunAbuseCommand(a.rest, a.config, std::cout, std::cerr);
  if (cmd == "lint") return rules::RunLintCommand(a.rest, RuleCommandOptions(a), std::cout, std::cerr);
  if (cmd == "scan") return rules::RunScanCommand(a.rest, RuleCommandOptions(a), std::cout, std::cerr);
  if (cmd == "keys") return RunKeysCommand(a.rest, a.config, std::cout, std::cerr);
  if (cmd == "keygen") return dkim::RunKeygenCommand(std::vector<std::string>(all.begin() + 1, all.end()), std::cout, std::cerr);
  std::cerr << "sendguard: unknown command '" << cmd << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace
}  // namespace sendguard

int main(int argc, char** argv) { return sendguard::Main(argc, argv); }

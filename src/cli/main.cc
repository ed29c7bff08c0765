// cli/main.cc — the `sendguard` command: dispatches subcommands.
//
//   sendguard run -c FILE [--socket SPEC] [--foreground]
//   sendguard check-config -c FILE
//   sendguard reload -c FILE | status -c FILE
//   sendguard quota | lint | scan | keygen ...
//   sendguard --version | help
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/abuse_command.h"
#include "cli/daemon.h"
#include "core/exit_codes.h"
#include "core/version.h"
#include "dkim/keygen.h"
#include "policy/actions.h"
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
    "  check-config -c FILE\n"
    "                      validate the configuration and everything it loads, then exit\n"
    "  reload -c FILE      reload the running daemon; waits, and exits non-zero with\n"
    "                      file:line when the new configuration does not load\n"
    "  status -c FILE      the running daemon's workers, crash loops and SPF helpers\n"
    "  quota show USER | top [-n N] | reset USER | set-class USER CLASS | clear-class USER\n"
    "                      [-c FILE] [--json]: read and change quota counts (daemon may run)\n"
    "  abuse learn --postfix-log FILE... | list [--all] | show USER | history USER | suspend USER [--for 24h] [--reason R]\n"
    "        | release USER [--deliver-held|--delete-held]   [-c FILE]\n"
    "                      see and change compromised-account states (shared by all relays)\n"
    "  lint [--lenient] [--list] [PATH...] [-c FILE]\n"
    "                      load rules as the daemon would and list every problem\n"
    "  scan [--explain | --list] [--all | --run needed|nonzero|all] [--rules PATH]... [-c FILE] FILE.eml...\n"
    "                      run one message through the content rules, show hits and action\n"
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

int CheckConfig(const Args& a) {
  Result<std::shared_ptr<const Snapshot>> snap = LoadSnapshot(a.config);
  if (!snap.ok()) {
    std::cerr << "sendguard: " << snap.status().message() << "\n";
    return kExitConfig;
  }
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
  if (cmd == "quota") return Quota(a);
  if (cmd == "abuse") return RunAbuseCommand(a.rest, a.config, std::cout, std::cerr);
  if (cmd == "lint") return rules::RunLintCommand(a.rest, RuleCommandOptions(a), std::cout, std::cerr);
  if (cmd == "scan") return rules::RunScanCommand(a.rest, RuleCommandOptions(a), std::cout, std::cerr);
  if (cmd == "keygen") return dkim::RunKeygenCommand(std::vector<std::string>(all.begin() + 1, all.end()), std::cout, std::cerr);
  std::cerr << "sendguard: unknown command '" << cmd << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace
}  // namespace sendguard

int main(int argc, char** argv) { return sendguard::Main(argc, argv); }

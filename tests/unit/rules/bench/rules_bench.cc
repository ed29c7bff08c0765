// rules_bench — scan throughput of the rule engine (one core).
//
// Usage: rules_bench [RULES_DIR [SPAMASSASSIN_DIR [MESSAGES_DIR | FILE...]]]
//   defaults: rules  /usr/share/spamassassin  tests/rules/bench
// Prints one line:
//   rules_scan MB/s starter: X (RE2 only: X0)  spamassassin: Y (RE2 only:
//   Y0; every rule: YA)  msgs/s spamassassin: M  messages: N  body_bytes: B
// MB/s is megabytes (10^6) of decoded body text (ParsedMessage::body) per
// second of RuleSet::Scan; MIME parsing is done once, outside the timing.
// X and Y are what the daemon runs (the rules that score and what their
// metas use, each rule group on the faster of the Hyperscan and RE2-only
// candidate finders); X0 and Y0 force the RE2-only finder; YA computes
// every loaded rule, score 0 and unused sub-rules too (scan --all). M is
// messages per second with Y's rule set, N and B the messages and their
// body bytes (tests/loadgen/run.sh compares them with SpamAssassin's own
// time on the same files). The cases run interleaved in short rounds and
// each keeps its best round, so a busy machine disturbs them alike.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "mime/parser.h"
#include "rules/cf_parser.h"
#include "rules/rule_set.h"

namespace {

using sendguard::rules::LoadOptions;
using sendguard::rules::LoadReport;
using sendguard::rules::ParsedRules;
using sendguard::rules::RuleSet;

// Parsed with `tlds` (SpamAssassin's util_rb_tld list), as the daemon
// parses with the loaded rules' list.
std::vector<sendguard::mime::ParsedMessage> LoadMessages(std::vector<std::string> files,
                                                         const sendguard::mime::TldList& tlds) {
  if (files.size() == 1 && std::filesystem::is_directory(files[0])) {
    std::string dir = files[0];
    files.clear();
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".eml") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
  }
  std::vector<sendguard::mime::ParsedMessage> out;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream b;
    b << in.rdbuf();
    out.push_back(sendguard::mime::Parse(b.str(), sendguard::mime::ScanLimits(), tlds));
  }
  return out;
}

struct Speed {
  double mbps = 0;
  double msgs_per_s = 0;
};

// Body text and messages per second, scanning every message until ~0.25 s
// passed.
Speed Measure(const RuleSet& set, const std::vector<sendguard::mime::ParsedMessage>& msgs) {
  size_t bytes = 0, scanned = 0;
  auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < 0.25) {
    for (const auto& m : msgs) {
      sendguard::rules::ScanResult r;
      sendguard::Status s = set.Scan(m, &r);
      if (!s.ok()) {
        std::cerr << "scan failed: " << s.ToString() << "\n";
        exit(1);
      }
      bytes += m.body.size();
      ++scanned;
    }
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return {bytes / elapsed / 1e6, scanned / elapsed};
}

std::shared_ptr<const RuleSet> LoadOrDie(const std::string& dir, LoadOptions options) {
  LoadReport report;
  auto set = RuleSet::Load({dir}, options, &report);
  if (!set.ok()) {
    std::cerr << "cannot load rules: " << set.status().ToString() << "\n";
    exit(1);
  }
  return *set;
}

}  // namespace

int main(int argc, char** argv) {
  std::string rules_dir = argc > 1 ? argv[1] : "rules";
  std::string sa_dir = argc > 2 ? argv[2] : "/usr/share/spamassassin";
  std::vector<std::string> inputs(argv + std::min(argc, 3), argv + argc);
  if (inputs.empty()) inputs.push_back("tests/rules/bench");
  LoadOptions daemon, re2_only;
  re2_only.hyperscan = sendguard::rules::HyperscanUse::kNever;
  std::vector<std::shared_ptr<const RuleSet>> sets = {LoadOrDie(rules_dir, daemon),
                                                      LoadOrDie(rules_dir, re2_only)};
  daemon.strict = re2_only.strict = false;
  LoadOptions every = daemon;
  every.run = sendguard::rules::RunRules::kAll;
  sets.push_back(LoadOrDie(sa_dir, daemon));
  sets.push_back(LoadOrDie(sa_dir, re2_only));
  sets.push_back(LoadOrDie(sa_dir, every));
  auto msgs = LoadMessages(inputs, sets[2]->tlds());
  if (msgs.empty()) {
    std::cerr << "no messages in " << inputs[0] << "\n";
    return 1;
  }
  std::vector<Speed> best(sets.size());
  for (int round = 0; round < 4; ++round) {
    for (size_t i = 0; i < sets.size(); ++i) {
      Speed s = Measure(*sets[i], msgs);
      if (s.mbps > best[i].mbps) best[i] = s;
    }
  }
  size_t body_bytes = 0;
  for (const auto& m : msgs) body_bytes += m.body.size();
  std::cout << std::fixed << std::setprecision(1) << "rules_scan MB/s starter: " << best[0].mbps
            << " (RE2 only: " << best[1].mbps << ")  spamassassin: " << best[2].mbps
            << " (RE2 only: " << best[3].mbps << "; every rule: " << best[4].mbps
            << ")  msgs/s spamassassin: " << std::setprecision(0) << best[2].msgs_per_s
            << "  messages: " << msgs.size() << "  body_bytes: " << body_bytes << "\n";
  return 0;
}

// rules_bench — scan throughput of the rule engine (one core).
//
// Usage: rules_bench [RULES_DIR [SPAMASSASSIN_DIR [MESSAGES_DIR]]]
//   defaults: rules  /usr/share/spamassassin  tests/rules/bench
// Prints: rules_scan MB/s starter: X (RE2 only: X0)  spamassassin: Y (RE2
// only: Y0)  ratio10_vs_all: Z
// MB/s is megabytes (10^6) of decoded body text (ParsedMessage::body) per
// second of RuleSet::Scan; MIME parsing is done once, outside the timing.
// X and Y are what the daemon runs (each rule group on the faster of the
// Hyperscan and RE2-only candidate finders); X0 and Y0 force the RE2-only
// finder, the peer measured in the same run. ratio10_vs_all is the scan
// time with all SpamAssassin rules divided by the time with only its first
// 10 loadable body rules. The cases run interleaved in short rounds and each
// keeps its best round, so a busy machine disturbs them alike.
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

std::vector<sendguard::mime::ParsedMessage> LoadMessages(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".eml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<sendguard::mime::ParsedMessage> out;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream b;
    b << in.rdbuf();
    out.push_back(sendguard::mime::Parse(b.str(), sendguard::mime::ScanLimits()));
  }
  return out;
}

// MB/s of body text, scanning every message until ~0.25 s passed.
double MeasureMBps(const RuleSet& set, const std::vector<sendguard::mime::ParsedMessage>& msgs) {
  size_t bytes = 0;
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
    }
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return bytes / elapsed / 1e6;
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

std::shared_ptr<const RuleSet> FirstBodyRules(const std::string& sa_dir, size_t n) {
  ParsedRules all, some;
  LoadReport report;
  if (!sendguard::rules::ParseCfPaths({sa_dir}, &all, &report).ok()) return nullptr;
  for (const auto& def : all.defs) {
    if (some.defs.size() >= n) break;
    if (def.target == sendguard::rules::Target::kBody && def.unsupported_category.empty())
      some.Define(def);
  }
  some.attrs = all.attrs;
  LoadOptions lenient;
  lenient.strict = false;
  auto set = RuleSet::Compile(std::move(some), lenient, &report);
  return set.ok() ? *set : nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  std::string rules_dir = argc > 1 ? argv[1] : "rules";
  std::string sa_dir = argc > 2 ? argv[2] : "/usr/share/spamassassin";
  std::string msg_dir = argc > 3 ? argv[3] : "tests/rules/bench";
  auto msgs = LoadMessages(msg_dir);
  if (msgs.empty()) {
    std::cerr << "no .eml messages in " << msg_dir << "\n";
    return 1;
  }
  LoadOptions daemon, re2_only;
  re2_only.hyperscan = sendguard::rules::HyperscanUse::kNever;
  std::vector<std::shared_ptr<const RuleSet>> sets = {LoadOrDie(rules_dir, daemon),
                                                      LoadOrDie(rules_dir, re2_only)};
  daemon.strict = re2_only.strict = false;
  sets.push_back(LoadOrDie(sa_dir, daemon));
  sets.push_back(LoadOrDie(sa_dir, re2_only));
  sets.push_back(FirstBodyRules(sa_dir, 10));
  if (!sets.back()) {
    std::cerr << "cannot load the first 10 SpamAssassin body rules\n";
    return 1;
  }
  std::vector<double> best(sets.size(), 0);
  for (int round = 0; round < 4; ++round)
    for (size_t i = 0; i < sets.size(); ++i) best[i] = std::max(best[i], MeasureMBps(*sets[i], msgs));
  std::cout << std::fixed << std::setprecision(1) << "rules_scan MB/s starter: " << best[0]
            << " (RE2 only: " << best[1] << ")  spamassassin: " << best[2] << " (RE2 only: "
            << best[3] << ")  ratio10_vs_all: " << std::setprecision(2) << best[4] / best[2] << "\n";
  return 0;
}

// rules_bench — scan throughput of the rule engine (one core).
//
// Usage: rules_bench [RULES_DIR [SPAMASSASSIN_DIR [MESSAGES_DIR]]]
//   defaults: rules  /usr/share/spamassassin  tests/rules/bench
// Prints: rules_scan MB/s starter: X  spamassassin: Y  ratio10_vs_all: Z
// MB/s is megabytes (10^6) of decoded body text (ParsedMessage::body) per
// second of RuleSet::Scan; MIME parsing is done once, outside the timing.
// ratio10_vs_all is the scan time with all SpamAssassin rules divided by the
// time with only its first 10 loadable body rules.
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

// Seconds per byte of body text, scanning every message until ~0.5 s passed.
double MeasureMBps(const RuleSet& set, const std::vector<sendguard::mime::ParsedMessage>& msgs) {
  size_t bytes = 0;
  auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < 0.5) {
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
  LoadReport r1, r2;
  auto starter = RuleSet::Load({rules_dir}, LoadOptions(), &r1);
  LoadOptions lenient;
  lenient.strict = false;
  auto sa = RuleSet::Load({sa_dir}, lenient, &r2);
  auto ten = FirstBodyRules(sa_dir, 10);
  if (!starter.ok() || !sa.ok() || !ten) {
    std::cerr << "cannot load rules: " << (starter.ok() ? sa.status().ToString() : starter.status().ToString()) << "\n";
    return 1;
  }
  double starter_mbps = MeasureMBps(**starter, msgs);
  double sa_mbps = MeasureMBps(**sa, msgs);
  double ten_mbps = MeasureMBps(*ten, msgs);
  std::cout << std::fixed << std::setprecision(1) << "rules_scan MB/s starter: " << starter_mbps
            << "  spamassassin: " << sa_mbps << "  ratio10_vs_all: " << std::setprecision(2)
            << ten_mbps / sa_mbps << "\n";
  return 0;
}

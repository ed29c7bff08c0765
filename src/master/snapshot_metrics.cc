// master/snapshot_metrics.cc — rule-set gauges.
#include "master/snapshot_metrics.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "metrics/metrics.h"

namespace sendguard {
namespace {

void Mix(uint64_t* h, const std::string& bytes) {
  for (unsigned char c : bytes) {
    *h ^= c;
    *h *= 1099511628211ULL;
  }
}

std::vector<std::string> RuleFiles(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return {path};
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
    if (e.path().extension() == ".cf") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

uint64_t RuleFilesFingerprint(const std::vector<std::string>& paths) {
  uint64_t h = 14695981039346656037ULL;
  for (const std::string& p : paths) {
    for (const std::string& f : RuleFiles(p)) {
      std::ifstream in(f, std::ios::binary);
      Mix(&h, std::filesystem::path(f).filename().string() + "\n");
      Mix(&h, std::string(std::istreambuf_iterator<char>(in), {}));
    }
  }
  return h;
}

void PublishSnapshotMetrics(const Snapshot& snap) {
  metrics::SetGauge(metrics::Family::kRulesLoaded, snap.rules ? snap.rules->num_rules() : 0);
  metrics::SetGauge(metrics::Family::kRulesetVersion,
                    snap.rules ? static_cast<int64_t>(RuleFilesFingerprint(snap.config.rule_paths)) : 0);
}

}  // namespace sendguard

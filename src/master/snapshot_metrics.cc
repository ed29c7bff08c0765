// master/snapshot_metrics.cc — rule-set gauges.
#include "master/snapshot_metrics.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/clock.h"
#include "core/log.h"
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

void RegisterRules(const Snapshot& snap, metrics::RuleHitTable* table) {
  if (!snap.rules || table == nullptr) return;
  size_t refused = 0;
  for (const rules::RuleInfo& r : snap.rules->rule_infos()) refused += !table->Register(r.name);
  if (refused == 0) return;
  SG_LOG(kWarning) << "rules: the hit table is full (" << table->max_names() << " names since the start); the hits of "
                   << refused << " rule(s) are counted as unattributed until sendguard restarts";
}

void RecordRuleLoad(const Snapshot& in_use, uint64_t version, bool at_start, const std::string& error, metrics::RuleHitTable* table) {
  if (table == nullptr) return;
  metrics::RuleLoad load;
  load.at_s = SystemClock::Instance().NowSeconds();
  load.ok = error.empty();
  load.at_start = at_start;
  load.version = in_use.rules ? version : 0;
  load.rules = in_use.rules ? in_use.rules->num_rules() : 0;
  load.error = error;
  table->RecordLoad(load);
}

}  // namespace sendguard

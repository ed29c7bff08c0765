// master/snapshot_metrics.h — the parent's gauges that describe the running
// snapshot: rules loaded and the rule set's version.
//
// Contract: PublishSnapshotMetrics() sets sendguard_rules_loaded and the
// fingerprint exported as sendguard_ruleset_info{version}: 64-bit FNV-1a over
// the names and contents of the rule files the snapshot was loaded from
// (files, and *.cf in directories, in lexical order), so two relays with
// the same rules show the same version. RegisterRules() gives every rule of
// the snapshot its entry in the per-rule hit table before workers with it
// start; RecordRuleLoad() records a load's outcome there (the console's
// rules page): `in_use` is the snapshot whose rules serve afterwards and
// `version` its fingerprint, taken when it was loaded (the files may have
// changed since: a failed reload's broken file).
// Thread-safety: the parent's thread.
#ifndef SENDGUARD_MASTER_SNAPSHOT_METRICS_H_
#define SENDGUARD_MASTER_SNAPSHOT_METRICS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/rule_hits.h"
#include "session/snapshot.h"

namespace sendguard {

uint64_t RuleFilesFingerprint(const std::vector<std::string>& paths);
void PublishSnapshotMetrics(const Snapshot& snapshot);
void RegisterRules(const Snapshot& snapshot, metrics::RuleHitTable* table);
void RecordRuleLoad(const Snapshot& in_use, uint64_t version, bool at_start, const std::string& error, metrics::RuleHitTable* table);

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_SNAPSHOT_METRICS_H_

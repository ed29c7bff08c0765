// metrics/catalog.h — every metric sendguard exports: name, type, help and
// the closed list of label values each may take (no per-user or per-domain
// label can exist: an unknown value is counted as "other").
//
// Contract: the catalog is fixed at compile time; Layout() gives each series
// its place in a slot (metrics/segment.h) — the same in every process of one
// binary. A histogram series takes kBuckets + 2 places: one count per bucket
// (not cumulative; the last is +Inf) and the sum in microseconds.
// Thread-safety: immutable; safe everywhere.
#ifndef SENDGUARD_METRICS_CATALOG_H_
#define SENDGUARD_METRICS_CATALOG_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace sendguard::metrics {

enum class Family : uint16_t {
  kMessages,            // counter {action}
  kCheckOutcomes,       // counter {check, outcome}
  kQuotaRefusals,       // counter {kind}
  kAbuseActions,        // counter {kind}
  kSignatures,          // counter {algorithm}
  kConnections,         // counter: milter connections accepted
  kRedisRoundTrips,     // counter
  kRedisErrors,         // counter
  kRedisOutages,        // counter: healthy -> unavailable transitions
  kSpfHelperRestarts,   // counter
  kSpfTimeouts,         // counter
  kReloads,             // counter {result}
  kWorkerRestarts,      // counter
  kDecisionLogErrors,   // counter: lines the decision log could not write
  kAuditLogErrors,      // counter: lines the audit log could not write
  kOpenConnections,     // gauge (sum over workers)
  kRedisOutage,         // gauge (max over workers): 1 while Redis is unavailable
  kWorkers,             // gauge (the parent's): worker processes serving
  kRulesLoaded,         // gauge (the parent's)
  kDkimKeysUnused,      // gauge (the parent's): keys held back (record not published, retired)
  kRulesetVersion,      // gauge (the parent's): fingerprint, exported as an info label
  kLastReloadTime,      // gauge (the parent's): unix seconds of the last reload attempt
  kLastReloadOk,        // gauge (the parent's): 1 if it succeeded
  kStartTime,           // gauge (the parent's): unix seconds
  kDecisionSeconds,     // histogram: the end-of-message decision
  kStageSeconds,        // histogram {stage}
  kRedisSeconds,        // histogram: one Redis round trip
  kCount_,
};

enum class Kind { kCounter, kGauge, kHistogram };
enum class Merge { kSum, kMax };  // how a gauge's slots combine

constexpr size_t kBuckets = 14;  // + the +Inf bucket
extern const double kBucketBounds[kBuckets];  // seconds

struct FamilySpec {
  Family family;
  const char* name;
  Kind kind;
  Merge merge;
  const char* help;
  std::vector<std::string> label_names;
  std::vector<std::vector<std::string>> values;  // one entry per series; {} = one unlabelled series
  bool exported = true;  // false: rendered specially (info metrics)
};

const std::vector<FamilySpec>& Catalog();
const FamilySpec& SpecOf(Family f);

// Places a series takes in a slot.
size_t Width(const FamilySpec& spec);
// First place of each family's series (by Family), and the slot width.
struct Layout {
  std::vector<size_t> base;
  size_t size = 0;
};
const Layout& TheLayout();

// The place of `labels` in a slot, or of the family's "other" series when
// the values are not in the catalog (a family without labels ignores them).
size_t IndexOf(Family f, std::initializer_list<std::string_view> labels);

}  // namespace sendguard::metrics

#endif  // SENDGUARD_METRICS_CATALOG_H_

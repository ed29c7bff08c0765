// metrics/exposition.h — summed slot values as Prometheus text (exposition
// format 0.0.4), the format `promtool check metrics` accepts.
//
// Contract: every family of the catalog appears with # HELP and # TYPE;
// counters end in _total, durations are in seconds (histograms with
// cumulative _bucket{le=...}, _sum, _count); sendguard_build_info{version}
// and sendguard_ruleset_info{version} are info metrics (value 1).
// Thread-safety: pure.
#ifndef SENDGUARD_METRICS_EXPOSITION_H_
#define SENDGUARD_METRICS_EXPOSITION_H_

#include <string>

#include "metrics/segment.h"

namespace sendguard::metrics {

constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string RenderPrometheus(const Values& values);

}  // namespace sendguard::metrics

#endif  // SENDGUARD_METRICS_EXPOSITION_H_

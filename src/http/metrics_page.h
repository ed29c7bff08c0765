// http/metrics_page.h — GET /metrics: the whole daemon's metrics, summed over
// the shared segment's slots at each scrape, in Prometheus text format.
//
// Contract: a request MetricsAuth refuses gets its answer (401/429) and no
// data. Methods other than GET and HEAD get 405.
// Thread-safety: safe for concurrent requests (the segment is read-only here).
#ifndef SENDGUARD_HTTP_METRICS_PAGE_H_
#define SENDGUARD_HTTP_METRICS_PAGE_H_

#include "http/metrics_auth.h"
#include "http/server.h"
#include "metrics/segment.h"

namespace sendguard::http {

Response MetricsPage(const Request& request, MetricsAuth& auth, const metrics::Segment& segment);

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_METRICS_PAGE_H_

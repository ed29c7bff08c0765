// http/metrics_page.h — GET /metrics: the whole daemon's metrics, summed over
// the shared segment's slots at each scrape, in Prometheus text format.
//
// Contract: with a token configured, a request without
// "Authorization: Bearer TOKEN" gets 401 (WWW-Authenticate: Bearer) and no
// data; the token is compared in constant time. Methods other than GET and
// HEAD get 405.
// Thread-safety: safe for concurrent requests (the segment is read-only here).
#ifndef SENDGUARD_HTTP_METRICS_PAGE_H_
#define SENDGUARD_HTTP_METRICS_PAGE_H_

#include <string>

#include "http/server.h"
#include "metrics/segment.h"

namespace sendguard::http {

Response MetricsPage(const Request& request, const std::string& token, const metrics::Segment& segment);

// Constant-time comparison of secrets.
bool SecretEquals(const std::string& a, const std::string& b);

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_METRICS_PAGE_H_

// http/site.h — what the HTTP server answers, by path: /metrics, the console
// under /console/ (when configured), the chart library it uses, and 404.
//
// Contract: MakeSite() returns the server's handler; every answer carries
// no-store caching and nosniff (server.h), the console's pages also a strict
// Content-Security-Policy (console.h).
// Thread-safety: the handler is safe for concurrent calls.
#ifndef SENDGUARD_HTTP_SITE_H_
#define SENDGUARD_HTTP_SITE_H_

#include <memory>
#include <string>

#include "http/server.h"
#include "metrics/segment.h"

namespace sendguard::http {

class Console;
class MetricsAuth;

struct SiteOptions {
  std::shared_ptr<MetricsAuth> metrics_auth;  // who may scrape (open when it says so)
  const metrics::Segment* segment = nullptr;
  std::shared_ptr<Console> console;       // null: no console
};

Handler MakeSite(SiteOptions options);

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_SITE_H_

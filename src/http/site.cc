// http/site.cc — routing.
#include "http/site.h"

#include "http/console.h"
#include "http/metrics_page.h"

namespace sendguard::http {

Handler MakeSite(SiteOptions o) {
  return [o](const Request& req) -> Response {
    if (req.path == "/metrics") return MetricsPage(req, *o.metrics_auth, *o.segment);
    if (o.console && (req.path == "/console" || req.path.compare(0, 9, "/console/") == 0)) {
      return o.console->Handle(req);
    }
    if (req.path == "/") return TextResponse(200, o.console ? "sendguard: /metrics, /console/\n" : "sendguard: /metrics\n");
    return TextResponse(404, "not found\n");
  };
}

}  // namespace sendguard::http

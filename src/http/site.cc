// http/site.cc — routing.
#include "http/site.h"

#include "http/metrics_page.h"

namespace sendguard::http {

Handler MakeSite(SiteOptions o) {
  return [o](const Request& req) -> Response {
    if (req.path == "/metrics") return MetricsPage(req, o.metrics_token, *o.segment);
    if (req.path == "/") {
      Response r = TextResponse(200, "sendguard: /metrics\n");
      return r;
    }
    return TextResponse(404, "not found\n");
  };
}

}  // namespace sendguard::http

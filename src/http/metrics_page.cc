// http/metrics_page.cc — the scrape.
#include "http/metrics_page.h"

#include "metrics/exposition.h"

namespace sendguard::http {

Response MetricsPage(const Request& req, MetricsAuth& auth, const metrics::Segment& segment) {
  if (req.method != "GET" && req.method != "HEAD") {
    Response r = TextResponse(405, "only GET\n");
    r.headers.push_back({"Allow", "GET, HEAD"});
    return r;
  }
  if (std::optional<Response> refusal = auth.Refusal(req)) return *refusal;
  Response r;
  r.content_type = metrics::kExpositionContentType;
  r.body = metrics::RenderPrometheus(segment.Sum());
  return r;
}

}  // namespace sendguard::http

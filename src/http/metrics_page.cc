// http/metrics_page.cc — the scrape.
#include "http/metrics_page.h"

#include <openssl/crypto.h>

#include "metrics/exposition.h"

namespace sendguard::http {

bool SecretEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Response MetricsPage(const Request& req, const std::string& token, const metrics::Segment& segment) {
  if (req.method != "GET" && req.method != "HEAD") {
    Response r = TextResponse(405, "only GET\n");
    r.headers.push_back({"Allow", "GET, HEAD"});
    return r;
  }
  if (!token.empty()) {
    auto auth = req.headers.find("authorization");
    if (auth == req.headers.end() || !SecretEquals(auth->second, "Bearer " + token)) {
      Response r = TextResponse(401, "a bearer token is required\n");
      r.headers.push_back({"WWW-Authenticate", "Bearer realm=\"sendguard metrics\""});
      return r;
    }
  }
  Response r;
  r.content_type = metrics::kExpositionContentType;
  r.body = metrics::RenderPrometheus(segment.Sum());
  return r;
}

}  // namespace sendguard::http

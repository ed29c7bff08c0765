// notify/http_post.h — one HTTP(S) POST, the only door to libcurl.
//
// Contract: PostJson sends `body` to `url` with Content-Type:
// application/json and the given extra headers, waits at most timeout_ms for
// the whole exchange (connect included), and reports either the HTTP status
// the server answered (any status, 2xx or not) or a transport failure
// (refused, unreachable, timed out, TLS, cancelled) with curl's own words.
// Redirects are not followed (a 3xx is an answer like any other); only http
// and https URLs are accepted. The response body is read and discarded. If
// `cancel` is non-null and becomes true, the transfer is abandoned within
// about a second (libcurl polls its progress callback that often when idle).
// Thread-safety: may be called from any number of threads at once (each call
// has its own curl handle; curl_global_init runs once, thread-safely).
#ifndef SENDGUARD_NOTIFY_HTTP_POST_H_
#define SENDGUARD_NOTIFY_HTTP_POST_H_

#include <atomic>
#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard::notify {

struct HttpAnswer {
  Status transport;     // non-ok: no HTTP answer at all (http_status is 0)
  long http_status = 0; // e.g. 200, 429, 500
};

HttpAnswer PostJson(const std::string& url, const std::vector<std::string>& headers,
                    const std::string& body, int timeout_ms,
                    const std::atomic<bool>* cancel = nullptr);

}  // namespace sendguard::notify

#endif  // SENDGUARD_NOTIFY_HTTP_POST_H_

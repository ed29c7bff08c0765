// http/server.h — a small HTTP server over a listening socket someone else
// opened (the parent), with hard bounds: its own pool of `threads` threads
// (never a milter thread), at most `max_connections` connections and
// `per_ip_connections` from one address, an idle timeout (a slow client is
// dropped), a cap on the request head (a huge header is answered 431) and on
// the body (413). Optional TLS from PEM text in memory.
//
// Contract: Start() serves until the Server is destroyed; the handler is
// called once per complete request, from a pool thread; an exception from it
// becomes a 500. Header names are lower-cased.
// Thread-safety: the handler must be safe for concurrent calls.
#ifndef SENDGUARD_HTTP_SERVER_H_
#define SENDGUARD_HTTP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sendguard::http {

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::map<std::string, std::string> cookies;
  std::map<std::string, std::string> query;
  std::string body;
  std::string client_ip;
  bool tls = false;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  int listen_fd = -1;
  int threads = 2;
  int max_connections = 64;
  int per_ip_connections = 16;
  int timeout_s = 10;
  size_t max_head_bytes = 16 * 1024;
  size_t max_body_bytes = 16 * 1024;
  std::string tls_cert_pem;  // both empty: plain HTTP
  std::string tls_key_pem;
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

Response TextResponse(int status, const std::string& text);

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_SERVER_H_

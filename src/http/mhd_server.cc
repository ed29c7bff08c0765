// http/mhd_server.cc — Server on libmicrohttpd: the only file that includes
// <microhttpd.h>. One internal polling thread per pool thread; a request's
// body is collected (bounded) and the handler runs once it is complete.
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <exception>

#include "core/log.h"
#include "http/server.h"

namespace sendguard::http {

struct Server::Impl {
  Handler handler;
  ServerOptions options;
  MHD_Daemon* daemon = nullptr;
};

namespace {

struct Pending {
  std::string body;
  bool too_big = false;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

MHD_Result CollectValue(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* into = static_cast<std::map<std::string, std::string>*>(cls);
  if (key != nullptr) (*into)[key] = value ? value : "";
  return MHD_YES;
}

MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* into = static_cast<std::map<std::string, std::string>*>(cls);
  if (key != nullptr) (*into)[Lower(key)] = value ? value : "";
  return MHD_YES;
}

std::string ClientIp(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char buf[INET6_ADDRSTRLEN] = {0};
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

MHD_Result Send(MHD_Connection* c, const Response& r) {
  MHD_Response* resp =
      MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
  if (resp == nullptr) return MHD_NO;
  MHD_add_response_header(resp, "Content-Type", r.content_type.c_str());
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Cache-Control", "no-store");
  for (const auto& [name, value] : r.headers) MHD_add_response_header(resp, name.c_str(), value.c_str());
  MHD_Result ok = MHD_queue_response(c, static_cast<unsigned>(r.status), resp);
  MHD_destroy_response(resp);
  return ok;
}

Request BuildRequest(MHD_Connection* c, const char* url, const char* method, std::string body, bool tls) {
  Request req;
  req.method = method;
  req.path = url;
  req.body = std::move(body);
  req.client_ip = ClientIp(c);
  req.tls = tls;
  MHD_get_connection_values(c, MHD_HEADER_KIND, CollectHeader, &req.headers);
  MHD_get_connection_values(c, MHD_COOKIE_KIND, CollectValue, &req.cookies);
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, CollectValue, &req.query);
  return req;
}

MHD_Result OnRequest(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                     const char* upload, size_t* upload_size, void** state) {
  auto* impl = static_cast<Server::Impl*>(cls);
  if (*state == nullptr) {
    *state = new Pending();
    return MHD_YES;
  }
  auto* pending = static_cast<Pending*>(*state);
  if (*upload_size > 0) {
    if (pending->body.size() + *upload_size > impl->options.max_body_bytes) pending->too_big = true;
    else pending->body.append(upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  if (pending->too_big) return Send(c, TextResponse(413, "request body too large\n"));
  Response r;
  try {
    r = impl->handler(BuildRequest(c, url, method, std::move(pending->body), !impl->options.tls_cert_pem.empty()));
  } catch (const std::exception& e) {
    SG_LOG(kError) << "http: " << method << " " << url << ": " << e.what();
    r = TextResponse(500, "internal error\n");
  }
  return Send(c, r);
}

void OnCompleted(void*, MHD_Connection*, void** state, MHD_RequestTerminationCode) {
  delete static_cast<Pending*>(*state);
  *state = nullptr;
}

void OnLog(void*, const char* fmt, va_list ap) {
  char buf[512];
  vsnprintf(buf, sizeof buf, fmt, ap);
  std::string line = buf;
  while (!line.empty() && line.back() == '\n') line.pop_back();
  SG_LOG(kDebug) << "http: " << line;
}

}  // namespace

Response TextResponse(int status, const std::string& text) {
  Response r;
  r.status = status;
  r.body = text;
  return r;
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_->daemon) MHD_stop_daemon(impl_->daemon);
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  impl->options = options;
  bool tls = !options.tls_cert_pem.empty();
  if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
    return Status::Unavailable("http: this libmicrohttpd has no TLS support");
  }
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0);
  Impl* raw = impl.get();
  impl->daemon = MHD_start_daemon(
      flags, 0, nullptr, nullptr, OnRequest, raw, MHD_OPTION_LISTEN_SOCKET, options.listen_fd,
      MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned>(options.threads), MHD_OPTION_CONNECTION_LIMIT,
      static_cast<unsigned>(options.max_connections), MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      static_cast<unsigned>(options.per_ip_connections), MHD_OPTION_CONNECTION_TIMEOUT,
      static_cast<unsigned>(options.timeout_s), MHD_OPTION_CONNECTION_MEMORY_LIMIT, options.max_head_bytes,
      MHD_OPTION_NOTIFY_COMPLETED, OnCompleted, nullptr, MHD_OPTION_EXTERNAL_LOGGER, OnLog, nullptr,
      tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, options.tls_key_pem.c_str(), MHD_OPTION_HTTPS_MEM_CERT,
      options.tls_cert_pem.c_str(), MHD_OPTION_END);
  if (impl->daemon == nullptr) return Status::Internal("http: libmicrohttpd does not start on the listen socket");
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

}  // namespace sendguard::http

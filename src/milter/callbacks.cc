// milter/callbacks.cc — libmilter's xxfi_* callbacks. Each one fetches the
// connection's Session from smfi_getpriv, calls one Session method inside a
// try block, and translates the Verdict. Nothing else lives here.
#include "milter/callbacks.h"

#include <arpa/inet.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstring>
#include <exception>

#include "core/log.h"
#include "metrics/metrics.h"
#include "session/session.h"

namespace sendguard {

namespace {

std::atomic<long> g_open_connections{0};
std::atomic<bool> g_draining{false};
const SnapshotHolder* g_holder = nullptr;
Runtime* g_runtime = nullptr;

// Per-connection data behind smfi_setpriv.
struct Connection {
  Connection(const SnapshotHolder* holder, Runtime* runtime) : session(holder, runtime) {}
  Session session;
  unsigned long protocol = 0;  // negotiated SMFIP_* flags
};

Connection* Conn(SMFICTX* ctx) { return static_cast<Connection*>(smfi_getpriv(ctx)); }

std::string Macro(SMFICTX* ctx, const char* name) {
  const char* v = smfi_getsymval(ctx, const_cast<char*>(name));
  return v ? v : "";
}

Macros ReadMacros(SMFICTX* ctx) {
  Macros m;
  m.auth_authen = Macro(ctx, "{auth_authen}");
  m.auth_type = Macro(ctx, "{auth_type}");
  m.client_addr = Macro(ctx, "{client_addr}");
  m.client_port = Macro(ctx, "{client_port}");
  m.queue_id = Macro(ctx, "i");
  m.tls_version = Macro(ctx, "{tls_version}");
  m.mta_name = Macro(ctx, "j");
  return m;
}

std::string AddressText(const struct sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (sa == nullptr) return "";
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof(buf));
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof(buf));
  }
  return buf;
}

sfsistat NoReplyOr(SMFICTX* ctx, unsigned long flag) {
  Connection* c = Conn(ctx);
  return (c != nullptr && (c->protocol & flag)) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

// libmilter formats the reply text: '%' must be doubled, and CR/LF would
// break the SMTP reply.
std::string ReplyText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%') out += "%%";
    else if (c == '\r' || c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

void SetReply(SMFICTX* ctx, const SmtpReply& r) {
  if (r.empty()) return;
  std::string text = ReplyText(r.text);
  smfi_setreply(ctx, const_cast<char*>(r.code.c_str()), const_cast<char*>(r.xcode.c_str()),
                const_cast<char*>(text.c_str()));
}

sfsistat Translate(SMFICTX* ctx, const Verdict& v) {
  switch (v.kind) {
    case Verdict::Kind::kContinue: return SMFIS_CONTINUE;
    case Verdict::Kind::kAccept: return SMFIS_ACCEPT;
    case Verdict::Kind::kDiscard: return SMFIS_DISCARD;
    case Verdict::Kind::kTempfail: SetReply(ctx, v.reply); return SMFIS_TEMPFAIL;
    case Verdict::Kind::kReject: SetReply(ctx, v.reply); return SMFIS_REJECT;
  }
  return SMFIS_TEMPFAIL;
}

sfsistat Failure(SMFICTX* ctx, const char* where, const char* what) {
  std::string why = std::string(where) + ": " + what;
  return Translate(ctx, FailureVerdict(g_holder->Current()->config, why));
}

// Runs `fn` (returning sfsistat); any exception becomes the failure action.
template <typename Fn>
sfsistat Guarded(SMFICTX* ctx, const char* where, Fn fn) {
  try {
    if (Conn(ctx) == nullptr) return Failure(ctx, where, "no session for this connection");
    return fn(Conn(ctx));
  } catch (const std::exception& e) {
    return Failure(ctx, where, e.what());
  } catch (...) {
    return Failure(ctx, where, "unknown exception");
  }
}

void RequestMacros(SMFICTX* ctx) {
  smfi_setsymlist(ctx, SMFIM_CONNECT, const_cast<char*>("{client_addr} {client_port} {daemon_name} j"));
  smfi_setsymlist(ctx, SMFIM_HELO, const_cast<char*>("{tls_version} {cipher}"));
  smfi_setsymlist(ctx, SMFIM_ENVFROM,
                  const_cast<char*>("{auth_authen} {auth_type} {auth_author} {client_addr} i"));
  smfi_setsymlist(ctx, SMFIM_EOM, const_cast<char*>("i"));
}

sfsistat OnNegotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long, unsigned long,
                     unsigned long* pf0, unsigned long* pf1, unsigned long* pf2, unsigned long* pf3) {
  const unsigned long wanted_actions = SMFIF_ADDHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST;
  const unsigned long wanted_protocol = SMFIP_HDR_LEADSPC | SMFIP_NOUNKNOWN | SMFIP_NODATA |
                                        SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_HDR |
                                        SMFIP_NR_EOH | SMFIP_NR_BODY;
  if (!(f0 & SMFIF_ADDHDRS)) {
    SG_LOG(kError) << "MTA does not let filters add headers; refusing to filter";
    return SMFIS_REJECT;
  }
  *pf0 = wanted_actions & f0;
  *pf1 = wanted_protocol & f1;
  if (g_draining.load()) *pf1 &= ~SMFIP_NR_CONN;  // we will answer the connect: 421
  *pf2 = *pf3 = 0;
  // Without SMFIF_SETSYMLIST the MTA's own macro configuration applies (README).
  if (*pf0 & SMFIF_SETSYMLIST) RequestMacros(ctx);
  try {
    auto* c = new Connection(g_holder, g_runtime);
    c->protocol = *pf1;
    smfi_setpriv(ctx, c);
    g_open_connections.fetch_add(1);
    metrics::Count(metrics::Family::kConnections);
    metrics::AddGauge(metrics::Family::kOpenConnections, 1);
  } catch (...) {
    return SMFIS_TEMPFAIL;
  }
  return SMFIS_CONTINUE;
}

// While draining, a connection negotiated without SMFIP_NR_CONN (see
// OnNegotiate) is told to come back later.
bool RefusedWhileDraining(SMFICTX* ctx) {
  Connection* c = Conn(ctx);
  if (!g_draining.load() || c == nullptr || (c->protocol & SMFIP_NR_CONN)) return false;
  SetReply(ctx, SmtpReply{"421", "4.3.2", "sendguard is restarting, try again shortly"});
  return true;
}

sfsistat OnConnect(SMFICTX* ctx, char* hostname, _SOCK_ADDR* addr) {
  if (RefusedWhileDraining(ctx)) return SMFIS_TEMPFAIL;
  return Guarded(ctx, "connect", [&](Connection* c) {
    std::string ip = AddressText(addr);
    if (ip.empty()) ip = Macro(ctx, "{client_addr}");
    c->session.Connect(hostname ? hostname : "", ip);
    return NoReplyOr(ctx, SMFIP_NR_CONN);
  });
}

sfsistat OnHelo(SMFICTX* ctx, char* helo) {
  return Guarded(ctx, "helo", [&](Connection* c) {
    c->session.Helo(helo ? helo : "");
    return NoReplyOr(ctx, SMFIP_NR_HELO);
  });
}

sfsistat OnEnvFrom(SMFICTX* ctx, char** argv) {
  return Guarded(ctx, "mail", [&](Connection* c) {
    return Translate(ctx, c->session.MailFrom(argv && argv[0] ? argv[0] : "", ReadMacros(ctx)));
  });
}

sfsistat OnEnvRcpt(SMFICTX* ctx, char** argv) {
  return Guarded(ctx, "rcpt", [&](Connection* c) {
    return Translate(ctx, c->session.Rcpt(argv && argv[0] ? argv[0] : ""));
  });
}

sfsistat OnHeader(SMFICTX* ctx, char* name, char* value) {
  return Guarded(ctx, "header", [&](Connection* c) {
    c->session.Header(name ? name : "", value ? value : "");
    return NoReplyOr(ctx, SMFIP_NR_HDR);
  });
}

sfsistat OnEndOfHeaders(SMFICTX* ctx) {
  return Guarded(ctx, "eoh", [&](Connection* c) {
    c->session.EndOfHeaders();
    return NoReplyOr(ctx, SMFIP_NR_EOH);
  });
}

sfsistat OnBody(SMFICTX* ctx, unsigned char* data, size_t len) {
  return Guarded(ctx, "body", [&](Connection* c) {
    c->session.Body(reinterpret_cast<const char*>(data), len);
    return NoReplyOr(ctx, SMFIP_NR_BODY);
  });
}

// Applies header edits and the quarantine flag; false if libmilter refused one.
bool ApplyEdits(SMFICTX* ctx, Connection* c, const EndOfMessage& eom) {
  const bool leadspc = c->protocol & SMFIP_HDR_LEADSPC;
  for (const HeaderEdit& e : eom.edits) {
    std::string value = leadspc ? " " + e.value : e.value;
    char* name = const_cast<char*>(e.name.c_str());
    char* val = const_cast<char*>(value.c_str());
    int rc = e.where == HeaderEdit::Where::kFirst ? smfi_insheader(ctx, 0, name, val)
                                                  : smfi_addheader(ctx, name, val);
    if (rc != MI_SUCCESS) return false;
  }
  if (!eom.quarantine_reason.empty() &&
      smfi_quarantine(ctx, const_cast<char*>(eom.quarantine_reason.c_str())) != MI_SUCCESS) {
    return false;
  }
  return true;
}

sfsistat OnEndOfMessage(SMFICTX* ctx) {
  return Guarded(ctx, "eom", [&](Connection* c) {
    EndOfMessage eom = c->session.EndOfMessageReached(ReadMacros(ctx));
    if (eom.verdict.IsRefusal()) return Translate(ctx, eom.verdict);
    if (!ApplyEdits(ctx, c, eom)) return Failure(ctx, "eom", "the MTA refused a header change");
    return eom.verdict.kind == Verdict::Kind::kContinue ? SMFIS_ACCEPT : Translate(ctx, eom.verdict);
  });
}

sfsistat OnAbort(SMFICTX* ctx) {
  return Guarded(ctx, "abort", [&](Connection* c) {
    c->session.Abort();
    return SMFIS_CONTINUE;
  });
}

sfsistat OnClose(SMFICTX* ctx) {
  Connection* c = Conn(ctx);
  if (c != nullptr) {
    smfi_setpriv(ctx, nullptr);
    delete c;
    g_open_connections.fetch_sub(1);
    metrics::AddGauge(metrics::Family::kOpenConnections, -1);
  }
  return SMFIS_CONTINUE;
}

}  // namespace

long OpenMilterConnections() { return g_open_connections.load(); }

void SetDraining() { g_draining.store(true); }

bool RegisterCallbacks(const SnapshotHolder* holder, Runtime* runtime) {
  g_holder = holder;
  g_runtime = runtime;
  struct smfiDesc desc;
  memset(&desc, 0, sizeof(desc));
  desc.xxfi_name = const_cast<char*>("sendguard");
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags = SMFIF_ADDHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST;
  desc.xxfi_connect = OnConnect;
  desc.xxfi_helo = OnHelo;
  desc.xxfi_envfrom = OnEnvFrom;
  desc.xxfi_envrcpt = OnEnvRcpt;
  desc.xxfi_header = OnHeader;
  desc.xxfi_eoh = OnEndOfHeaders;
  desc.xxfi_body = OnBody;
  desc.xxfi_eom = OnEndOfMessage;
  desc.xxfi_abort = OnAbort;
  desc.xxfi_close = OnClose;
  desc.xxfi_negotiate = OnNegotiate;
  return smfi_register(desc) == MI_SUCCESS;
}

}  // namespace sendguard

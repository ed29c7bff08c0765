// spf/spf_engine.cc — the one file that includes libspf2. Builds the DNS layer
// stack (zone + stall layer for static data, cache + resolv otherwise), runs
// check_host() and TXT lookups, and maps libspf2's results to SpfResult.
#include <netinet/in.h>  // libspf2's headers need it first
#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

extern "C" {
#include <spf2/spf.h>
#include <spf2/spf_dns_cache.h>
#include <spf2/spf_dns_resolv.h>
#include <spf2/spf_dns_zone.h>
}

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <set>

#include "core/log.h"
#include "core/strings.h"
#include "spf/spf_engine.h"

namespace sendguard::spf {
namespace {

// libspf2 calls this instead of abort() on an internal error. In the helper
// process that ends the process; the client answers temperror and restarts it.
__attribute__((noreturn)) void OnSpfError(const char* file, int line, const char* msg) {
  SG_LOG(kError) << "libspf2 internal error at " << (file ? file : "?") << ":" << line << ": "
                 << (msg ? msg : "");
  _exit(70);
}

void OnSpfWarning(const char* file, int line, const char* msg) {
  SG_LOG(kDebug) << "libspf2: " << (file ? file : "?") << ":" << line << ": "
                 << (msg ? msg : "");
}

void InstallLogHandlers() {
  SPF_error_handler = OnSpfError;
  SPF_warning_handler = OnSpfWarning;
  SPF_info_handler = nullptr;
  SPF_debug_handler = nullptr;
}

// --- The stall layer: names marked TIMEOUT in the static data never answer,
// so the client's deadline is exercised for real. Sits on top of the zone.

struct StallHook {
  std::set<std::string> names;
};

SPF_dns_rr_t* StallLookup(SPF_dns_server_t* layer, const char* domain, ns_type type,
                          int should_cache) {
  const auto* hook = static_cast<const StallHook*>(layer->hook);
  if (domain != nullptr && hook->names.count(CanonicalDnsName(domain)) > 0) {
    for (;;) sleep(3600);  // the client kills us when its deadline passes
  }
  return SPF_dns_lookup(layer->layer_below, domain, type, should_cache);
}

void StallDestroy(SPF_dns_server_t* layer) {
  delete static_cast<StallHook*>(layer->hook);
  free(layer);
}

SPF_dns_server_t* NewStallLayer(SPF_dns_server_t* below, std::set<std::string> names) {
  auto* layer = static_cast<SPF_dns_server_t*>(calloc(1, sizeof(SPF_dns_server_t)));
  if (layer == nullptr) return nullptr;
  layer->destroy = StallDestroy;
  layer->lookup = StallLookup;
  layer->layer_below = below;
  layer->name = "sendguard-stall";
  layer->hook = new StallHook{std::move(names)};
  return layer;
}

// --- Static records into libspf2's zone layer.

const ns_type kAllTypes[] = {ns_t_txt, ns_t_a, ns_t_aaaa, ns_t_mx, ns_t_ptr};

ns_type ZoneType(DnsRecordType type) {
  switch (type) {
    case DnsRecordType::kTxt: return ns_t_txt;
    case DnsRecordType::kA: return ns_t_a;
    case DnsRecordType::kAaaa: return ns_t_aaaa;
    case DnsRecordType::kMx: return ns_t_mx;
    case DnsRecordType::kPtr: return ns_t_ptr;
    default: return ns_t_txt;
  }
}

Status AddZoneRecord(SPF_dns_server_t* zone, const DnsRecord& rec) {
  SPF_errcode_t err = SPF_E_SUCCESS;
  if (rec.type == DnsRecordType::kTempFail) {
    for (ns_type t : kAllTypes) {
      if (err == SPF_E_SUCCESS) err = SPF_dns_zone_add_str(zone, rec.name.c_str(), t, TRY_AGAIN, nullptr);
    }
  } else {
    err = SPF_dns_zone_add_str(zone, rec.name.c_str(), ZoneType(rec.type), NETDB_SUCCESS,
                               rec.data.c_str());
  }
  if (err != SPF_E_SUCCESS) {
    return Status::InvalidArgument("line " + std::to_string(rec.line) + ": libspf2 rejected " +
                                   rec.name + ": " + SPF_strerror(err));
  }
  return Status::Ok();
}

Result<SPF_dns_server_t*> BuildStaticStack(const std::vector<DnsRecord>& records) {
  SPF_dns_server_t* zone = SPF_dns_zone_new(nullptr, "sendguard-static", 0);
  if (zone == nullptr) return Status::Internal("SPF_dns_zone_new failed");
  std::set<std::string> stall;
  for (const DnsRecord& rec : records) {
    if (rec.type == DnsRecordType::kTimeout) {
      stall.insert(rec.name);
      continue;
    }
    if (rec.type == DnsRecordType::kCname) continue;  // DKIM key checks only (dns/dns_data.h)
    Status s = AddZoneRecord(zone, rec);
    if (!s.ok()) {
      SPF_dns_free(zone);
      return s;
    }
  }
  SPF_dns_server_t* top = NewStallLayer(zone, std::move(stall));
  if (top == nullptr) {
    SPF_dns_free(zone);
    return Status::Internal("out of memory building the DNS stack");
  }
  return top;
}

Result<SPF_dns_server_t*> BuildResolverStack(const EngineOptions& options) {
  std::string res_options = "timeout:" + std::to_string(options.resolver_timeout_s) + " attempts:1";
  setenv("RES_OPTIONS", res_options.c_str(), /*overwrite=*/0);
  SPF_dns_server_t* resolv = SPF_dns_resolv_new(nullptr, "sendguard-resolv", 0);
  if (resolv == nullptr) return Status::Unavailable("SPF_dns_resolv_new failed");
  SPF_dns_server_t* cache = SPF_dns_cache_new(resolv, "sendguard-cache", 0, options.cache_bits);
  if (cache == nullptr) {
    SPF_dns_free(resolv);
    return Status::Internal("SPF_dns_cache_new failed");
  }
  return cache;
}

// libspf2 answers "invalid" both when DNS said TRY_AGAIN and when the
// record did not compile; the error code tells them apart.
SpfResult MapInvalid(SPF_errcode_t err) {
  switch (err) {
    case SPF_E_DNS_ERROR:
    case SPF_E_NO_MEMORY:
    case SPF_E_INTERNAL_ERROR:
      return SpfResult::kTempError;
    default:
      return SpfResult::kPermError;  // e.g. a syntax error in the record
  }
}

SpfResult MapResult(SPF_result_t r, SPF_errcode_t err) {
  switch (r) {
    case SPF_RESULT_NEUTRAL: return SpfResult::kNeutral;
    case SPF_RESULT_PASS: return SpfResult::kPass;
    case SPF_RESULT_FAIL: return SpfResult::kFail;
    case SPF_RESULT_SOFTFAIL: return SpfResult::kSoftFail;
    case SPF_RESULT_NONE: return SpfResult::kNone;
    case SPF_RESULT_PERMERROR: return SpfResult::kPermError;
    case SPF_RESULT_TEMPERROR: return SpfResult::kTempError;
    case SPF_RESULT_INVALID: return MapInvalid(err);
  }
  return SpfResult::kTempError;
}

SPF_errcode_t SetClientIp(SPF_request_t* req, const std::string& ip) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) return SPF_request_set_ipv4_str(req, ip.c_str());
  if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) return SPF_request_set_ipv6_str(req, ip.c_str());
  return SPF_E_INVALID_IP4;
}

SpfAnswer PermError(const std::string& why) { return SpfAnswer{SpfResult::kPermError, why}; }

}  // namespace

struct SpfEngine::Impl {
  SPF_server_t* server = nullptr;
  SPF_dns_server_t* dns = nullptr;

  ~Impl() {
    if (server != nullptr) SPF_server_free(server);
    if (dns != nullptr) SPF_dns_free(dns);  // frees the lower layers too
  }
};

Result<std::unique_ptr<SpfEngine>> SpfEngine::Create(const EngineOptions& options) {
  InstallLogHandlers();
  Result<SPF_dns_server_t*> dns = options.use_static_records
                                      ? BuildStaticStack(options.static_records)
                                      : BuildResolverStack(options);
  if (!dns.ok()) return dns.status();
  auto impl = std::make_unique<Impl>();
  impl->dns = *dns;
  impl->server = SPF_server_new_dns(impl->dns, 0);
  if (impl->server == nullptr) return Status::Internal("SPF_server_new_dns failed");
  SPF_server_set_rec_dom(impl->server, options.receiver_name.c_str());
  return std::unique_ptr<SpfEngine>(new SpfEngine(std::move(impl)));
}

SpfEngine::SpfEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SpfEngine::~SpfEngine() = default;

SpfAnswer SpfEngine::CheckHost(const std::string& ip, const std::string& domain) {
  if (domain.empty() || domain.size() > 253) return PermError("bad domain");
  SPF_request_t* req = SPF_request_new(impl_->server);
  if (req == nullptr) return SpfAnswer{SpfResult::kTempError, "out of memory"};
  SpfAnswer answer;
  std::string sender = "postmaster@" + domain;
  if (SetClientIp(req, ip) != SPF_E_SUCCESS) {
    answer = PermError("bad client address '" + ip + "'");
  } else if (SPF_request_set_env_from(req, sender.c_str()) != 0) {
    answer = PermError("bad sender domain '" + domain + "'");
  } else {
    SPF_response_t* resp = nullptr;
    SPF_errcode_t err = SPF_request_query_mailfrom(req, &resp);
    if (resp != nullptr) {
      answer.result = MapResult(SPF_response_result(resp), err);
      const char* comment = SPF_response_get_header_comment(resp);
      answer.comment = comment ? comment : "";
      if (answer.comment.empty() && err != SPF_E_SUCCESS) answer.comment = SPF_strerror(err);
      SPF_response_free(resp);
    } else {
      answer = SpfAnswer{SpfResult::kTempError, "no response from libspf2"};
    }
  }
  SPF_request_free(req);
  return answer;
}

TxtAnswer SpfEngine::LookupTxt(const std::string& name) {
  TxtAnswer answer;
  SPF_dns_rr_t* rr = SPF_dns_lookup(impl_->dns, name.c_str(), ns_t_txt, 1);
  if (rr == nullptr) return answer;  // temperror
  if (rr->herrno == NETDB_SUCCESS) {
    answer.status = TxtAnswer::Status::kFound;
    for (int i = 0; i < rr->num_rr; ++i) answer.texts.emplace_back(rr->rr[i]->txt);
  } else if (rr->herrno == HOST_NOT_FOUND || rr->herrno == NO_DATA) {
    answer.status = TxtAnswer::Status::kNotFound;
  }
  SPF_dns_rr_free(rr);
  return answer;
}

}  // namespace sendguard::spf

// spf/helper_protocol.h — the messages exchanged with the SPF helper process,
// encoded as wire.h fields.
//
//   client -> helper  init:  "init" dns_data_file cache_bits resolver_timeout_s run_as_user
//   helper -> client  ready: "ready"   or   "error" <why>
//   client -> helper  "req" seq nspf (ip domain)* ntxt (name)*
//   helper -> client  "resp" seq nspf (result comment)* ntxt (status n text*)*
//
// Contract: Decode* functions validate everything (the helper is untrusted:
// it parses attacker-controlled DNS data) and fail with InvalidArgument.
// Thread-safety: pure functions over values.
#ifndef SENDGUARD_SPF_HELPER_PROTOCOL_H_
#define SENDGUARD_SPF_HELPER_PROTOCOL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "spf/spf_engine.h"
#include "spf/wire.h"

namespace sendguard::spf {

// Configuration of one helper process.
struct SpfHelperOptions {
  // Static DNS data file (dns_data.h); "" = system resolver. Default "".
  std::string dns_data_file;
  // Resolver cache size is 2^cache_bits entries. Default 10 (1024).
  int cache_bits = 10;
  // Stub resolver per-query timeout, seconds. Default 2.
  int resolver_timeout_s = 2;
  // When started as root, the helper switches to this user. Default "nobody".
  // "" keeps the current user (only for unprivileged test runs).
  std::string run_as_user = "nobody";
};

struct SpfQuery {
  std::string ip;
  std::string domain;
};

struct HelperRequest {
  uint64_t seq = 0;
  std::vector<SpfQuery> spf;
  std::vector<std::string> txt;  // names to look up as TXT
};

struct HelperResponse {
  uint64_t seq = 0;
  std::vector<SpfAnswer> spf;
  std::vector<TxtAnswer> txt;
};

Fields EncodeInit(const SpfHelperOptions& options);
Result<SpfHelperOptions> DecodeInit(const Fields& fields);

Fields EncodeRequest(const HelperRequest& request);
Result<HelperRequest> DecodeRequest(const Fields& fields);

Fields EncodeResponse(const HelperResponse& response);
Result<HelperResponse> DecodeResponse(const Fields& fields);

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_HELPER_PROTOCOL_H_

// spf/preflight.h — what the session asks (PreflightRequest) and what it gets
// back (PreflightResult), and the pure step that turns the helper's raw DNS
// answers into a result (SPF egress/client results, DMARC alignment, the
// Authentication-Results-style header value and the log fields).
//
// Contract: BuildPreflightResult is pure; it never fails — anything that
// could not be evaluated is temperror. Thread-safety: pure functions.
#ifndef SENDGUARD_SPF_PREFLIGHT_H_
#define SENDGUARD_SPF_PREFLIGHT_H_

#include <string>
#include <vector>

#include "spf/dmarc.h"
#include "spf/public_suffix.h"
#include "spf/spf_engine.h"
#include "spf/spf_options.h"
#include "spf/spf_types.h"

namespace sendguard::spf {

struct PreflightRequest {
  std::string envelope_domain;            // MAIL FROM domain; "" for the null sender
  std::string from_domain;                // RFC5322.From domain; "" skips DMARC
  std::string client_ip;                  // only used when check_client
  bool check_client = false;              // unauthenticated trusted-network mail
  std::vector<std::string> dkim_domains;  // d= of the signatures sendguard will add
};

struct EgressResult {
  std::string ip;
  SpfResult result = SpfResult::kTempError;
  std::string comment;
};

struct DmarcOutcome {
  enum class State { kNotChecked, kNoRecord, kFound, kTempError };
  State state = State::kNotChecked;
  std::string policy;          // effective p= (or sp= for a subdomain): none|quarantine|reject
  std::string record_domain;   // domain whose _dmarc record applies
  bool dkim_aligned = false;
  bool spf_aligned = false;
  bool aligned = false;        // dkim_aligned || spf_aligned
};

struct PreflightResult {
  std::vector<EgressResult> egress;  // one per configured egress address
  bool client_checked = false;
  SpfResult client = SpfResult::kNone;
  std::string client_comment;
  DmarcOutcome dmarc;
  std::string org_domain;     // organisational domain of from_domain
  bool helper_failed = false; // timeout / crash: every result is temperror
  std::string helper_error;
  std::string explanation;    // what the customer should publish, "" if nothing
  std::string auth_results;   // Authentication-Results-style header value

  // "spf_egress=fail(192.0.2.10) spf_client=pass dmarc=fail policy=reject ..."
  std::string LogFields() const;
};

// Raw answers from the helper, in the order the client asked.
struct RawAnswers {
  std::vector<SpfAnswer> egress;  // parallel to options.egress_ips (empty: not asked)
  SpfAnswer client;               // valid when request.check_client
  TxtAnswer dmarc_from;           // _dmarc.<from_domain>
  TxtAnswer dmarc_org;            // _dmarc.<org domain>, when it differs
  bool failed = false;            // helper timeout/crash/garbage
  std::string failure;
};

// The TXT names the client must ask for, in order: _dmarc.<from>, then
// _dmarc.<org> when the organisational domain differs.
std::vector<std::string> DmarcLookupNames(const PreflightRequest& request,
                                          const PublicSuffixList& psl);

PreflightResult BuildPreflightResult(const PreflightRequest& request, const RawAnswers& raw,
                                     const SpfOptions& options, const PublicSuffixList& psl);

// Worst egress result: any non-pass wins in the order permerror, fail,
// softfail, neutral, temperror, none; pass only when every address passes.
SpfResult WorstEgress(const std::vector<EgressResult>& egress);

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_PREFLIGHT_H_

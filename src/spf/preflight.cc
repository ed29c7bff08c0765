// spf/preflight.cc — raw DNS answers -> PreflightResult (pure).
#include "spf/preflight.h"

#include <algorithm>
#include <sstream>

#include "core/strings.h"
#include "idna/idna.h"

namespace sendguard::spf {
namespace {

// A domain as looked up and compared: its IDNA A-label (the input lower-cased
// when it is not valid IDNA, so the lookup fails as "no record").
std::string DomainForDns(const std::string& name) {
  Result<std::string> canonical = idna::CanonicalDomain(name);
  return canonical.ok() ? *canonical : CanonicalDnsName(name);
}

int Severity(SpfResult r) {
  switch (r) {
    case SpfResult::kPass: return 0;
    case SpfResult::kNone: return 1;
    case SpfResult::kTempError: return 2;
    case SpfResult::kNeutral: return 3;
    case SpfResult::kSoftFail: return 4;
    case SpfResult::kFail: return 5;
    case SpfResult::kPermError: return 6;
  }
  return 2;
}

bool Authorises(SpfResult r) { return r == SpfResult::kPass; }

std::vector<EgressResult> BuildEgress(const RawAnswers& raw, const SpfOptions& options) {
  std::vector<EgressResult> out;
  for (size_t i = 0; i < raw.egress.size() && i < options.egress_ips.size(); ++i) {
    out.push_back({options.egress_ips[i], raw.egress[i].result, raw.egress[i].comment});
  }
  return out;
}

// Effective record for the From domain: its own, else the org domain's sp=/p=.
void ApplyDmarcRecord(const PreflightRequest& req, const RawAnswers& raw, const std::string& org,
                      DmarcOutcome* d, bool* strict_dkim, bool* strict_spf) {
  const bool own_found = raw.dmarc_from.status == TxtAnswer::Status::kFound;
  Result<DmarcRecord> own = own_found ? SelectDmarcRecord(raw.dmarc_from.texts)
                                      : Result<DmarcRecord>(Status::NotFound("none"));
  if (raw.dmarc_from.status == TxtAnswer::Status::kTempError) {
    d->state = DmarcOutcome::State::kTempError;
    return;
  }
  Result<DmarcRecord> chosen = own;
  d->record_domain = DomainForDns(req.from_domain);
  bool from_org = false;
  if (!own.ok() && org != d->record_domain) {
    if (raw.dmarc_org.status == TxtAnswer::Status::kTempError) {
      d->state = DmarcOutcome::State::kTempError;
      return;
    }
    if (raw.dmarc_org.status == TxtAnswer::Status::kFound) {
      chosen = SelectDmarcRecord(raw.dmarc_org.texts);
      d->record_domain = org;
      from_org = true;
    }
  }
  if (!chosen.ok()) {
    d->state = DmarcOutcome::State::kNoRecord;
    return;
  }
  d->state = DmarcOutcome::State::kFound;
  d->policy = from_org && chosen->subdomain_policy ? *chosen->subdomain_policy : chosen->policy;
  *strict_dkim = chosen->strict_dkim;
  *strict_spf = chosen->strict_spf;
}

DmarcOutcome BuildDmarc(const PreflightRequest& req, const RawAnswers& raw,
                        const std::vector<EgressResult>& egress, const std::string& org,
                        const PublicSuffixList& psl) {
  DmarcOutcome d;
  if (req.from_domain.empty()) return d;
  bool strict_dkim = false, strict_spf = false;
  ApplyDmarcRecord(req, raw, org, &d, &strict_dkim, &strict_spf);
  for (const std::string& dkim : req.dkim_domains) {
    if (Aligned(dkim, req.from_domain, strict_dkim, psl)) d.dkim_aligned = true;
  }
  bool spf_pass = !egress.empty() && WorstEgress(egress) == SpfResult::kPass;
  d.spf_aligned = spf_pass && Aligned(req.envelope_domain, req.from_domain, strict_spf, psl);
  d.aligned = d.dkim_aligned || d.spf_aligned;
  return d;
}

std::string Mechanism(const std::string& ip) {
  return (ip.find(':') != std::string::npos ? "ip6:" : "ip4:") + ip;
}

std::string BuildExplanation(const PreflightRequest& req, const std::vector<EgressResult>& egress,
                             const SpfOptions& options) {
  std::vector<std::string> missing;
  for (const EgressResult& e : egress) {
    if (!Authorises(e.result) && e.result != SpfResult::kTempError) missing.push_back(e.ip);
  }
  if (missing.empty()) return "";
  std::ostringstream out;
  out << "publish ";
  if (!options.include_hint.empty()) out << "\"" << options.include_hint << "\" or ";
  for (size_t i = 0; i < missing.size(); ++i) {
    out << (i ? " " : "\"") << Mechanism(missing[i]);
  }
  out << "\" in the SPF record of " << DomainForDns(req.envelope_domain);
  return out.str();
}

std::string DmarcResultName(const DmarcOutcome& d) {
  switch (d.state) {
    case DmarcOutcome::State::kNotChecked:
    case DmarcOutcome::State::kNoRecord: return "none";
    case DmarcOutcome::State::kTempError: return "temperror";
    case DmarcOutcome::State::kFound: return d.aligned ? "pass" : "fail";
  }
  return "temperror";
}

std::string EgressIps(const std::vector<EgressResult>& egress) {
  std::string ips;
  for (const EgressResult& e : egress) ips += (ips.empty() ? "" : " ") + e.ip;
  return ips;
}

std::string BuildAuthResults(const PreflightRequest& req, const PreflightResult& r,
                             const SpfOptions& options) {
  std::ostringstream out;
  out << options.authserv_id;
  std::string mailfrom = DomainForDns(req.envelope_domain);
  if (!r.egress.empty()) {
    out << "; spf=" << WorstEgress(r.egress) << " (sendguard prediction for "
        << EgressIps(r.egress) << ") smtp.mailfrom=" << mailfrom;
  }
  if (r.client_checked) {
    out << "; spf=" << r.client << " (sendguard check of client " << req.client_ip
        << ") smtp.mailfrom=" << mailfrom;
  }
  if (r.dmarc.state != DmarcOutcome::State::kNotChecked) {
    out << "; dmarc=" << DmarcResultName(r.dmarc) << " (sendguard prediction";
    if (!r.dmarc.policy.empty()) out << " p=" << r.dmarc.policy;
    out << ") header.from=" << DomainForDns(req.from_domain);
  }
  if (r.egress.empty() && !r.client_checked && r.dmarc.state == DmarcOutcome::State::kNotChecked) {
    out << "; none";
  }
  return out.str();
}

}  // namespace

SpfResult WorstEgress(const std::vector<EgressResult>& egress) {
  SpfResult worst = SpfResult::kPass;
  for (const EgressResult& e : egress) {
    if (Severity(e.result) > Severity(worst)) worst = e.result;
  }
  return egress.empty() ? SpfResult::kNone : worst;
}

std::vector<std::string> DmarcLookupNames(const PreflightRequest& request,
                                          const PublicSuffixList& psl) {
  std::vector<std::string> names;
  if (request.from_domain.empty()) return names;
  std::string from = DomainForDns(request.from_domain);
  names.push_back("_dmarc." + from);
  std::string org = psl.OrganizationalDomain(from);
  if (org != from) names.push_back("_dmarc." + org);
  return names;
}

PreflightResult BuildPreflightResult(const PreflightRequest& request, const RawAnswers& raw,
                                     const SpfOptions& options, const PublicSuffixList& psl) {
  PreflightResult r;
  r.helper_failed = raw.failed;
  r.helper_error = raw.failure;
  r.egress = BuildEgress(raw, options);
  r.client_checked = request.check_client;
  r.client = request.check_client ? raw.client.result : SpfResult::kNone;
  r.client_comment = request.check_client ? raw.client.comment : "";
  if (!request.from_domain.empty()) r.org_domain = psl.OrganizationalDomain(request.from_domain);
  r.dmarc = BuildDmarc(request, raw, r.egress, r.org_domain, psl);
  r.explanation = BuildExplanation(request, r.egress, options);
  r.auth_results = BuildAuthResults(request, r, options);
  return r;
}

std::string PreflightResult::LogFields() const {
  std::ostringstream out;
  out << "spf_egress=" << (egress.empty() ? "none" : SpfResultName(WorstEgress(egress)));
  for (const EgressResult& e : egress) out << " spf[" << e.ip << "]=" << e.result;
  if (client_checked) out << " spf_client=" << client;
  out << " dmarc=" << DmarcResultName(dmarc);
  if (!dmarc.policy.empty()) out << " dmarc_policy=" << dmarc.policy;
  if (dmarc.state == DmarcOutcome::State::kFound) {
    out << " dmarc_dkim_aligned=" << dmarc.dkim_aligned << " dmarc_spf_aligned="
        << dmarc.spf_aligned << " dmarc_record=" << dmarc.record_domain;
  }
  if (helper_failed) out << " spf_helper_error=\"" << helper_error << "\"";
  return out.str();
}

}  // namespace sendguard::spf

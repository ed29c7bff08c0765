// spf/decide.cc — PreflightResult + SpfOptions -> Decision (pure).
#include "spf/decide.h"

#include <sstream>

namespace sendguard::spf {
namespace {

bool EgressFails(SpfResult r) {
  return r == SpfResult::kFail || r == SpfResult::kSoftFail || r == SpfResult::kNeutral ||
         r == SpfResult::kPermError;
}

bool AnyTempError(const PreflightRequest& req, const PreflightResult& r) {
  if (r.helper_failed || r.dmarc.state == DmarcOutcome::State::kTempError) return true;
  if (req.check_client && r.client == SpfResult::kTempError) return true;
  for (const EgressResult& e : r.egress) {
    if (e.result == SpfResult::kTempError) return true;
  }
  return false;
}

std::string FailingIps(const PreflightResult& r) {
  std::string ips;
  for (const EgressResult& e : r.egress) {
    if (EgressFails(e.result)) ips += (ips.empty() ? "" : ", ") + e.ip;
  }
  return ips;
}

std::string EgressText(const PreflightRequest& req, const PreflightResult& r) {
  std::ostringstream t;
  t << req.envelope_domain << "'s SPF (" << WorstEgress(r.egress)
    << ") does not authorise this relay (" << FailingIps(r) << ")";
  if (!r.explanation.empty()) t << "; " << r.explanation;
  return t.str();
}

std::string DmarcText(const PreflightRequest& req, const PreflightResult& r) {
  std::ostringstream t;
  t << req.from_domain << " publishes DMARC p=" << r.dmarc.policy
    << " and this message would not align: use a From domain that matches "
    << "the envelope sender or the DKIM signing domain";
  if (!r.explanation.empty()) t << ", and " << r.explanation;
  return t.str();
}

std::string SpoofText(const PreflightRequest& req, const PreflightResult& r) {
  return req.envelope_domain + "'s SPF (" + SpfResultName(r.client) + ") does not authorise " +
         req.client_ip + " to send as " + req.envelope_domain;
}

// Keeps the first, most severe candidate.
void Consider(Action action, const char* reason, const std::string& text, Decision* d) {
  if (action == Action::kNone || static_cast<int>(action) <= static_cast<int>(d->action)) return;
  d->action = action;
  d->reason = reason;
  d->reply.text = text;
}

// Domain names come from customers: keep control characters out of replies.
std::string Printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return text;
}

void FillReply(Decision* d) {
  d->reply.text = Printable(d->reply.text);
  if (d->action == Action::kReject) {
    d->reply.code = "550";
    d->reply.xcode = "5.7.1";
  } else if (d->action == Action::kTempFail) {
    d->reply.code = "451";
    d->reply.xcode = d->reason == "temperror" ? "4.4.3" : "4.7.1";
  }
}

}  // namespace

std::string Decision::ReplyLine() const {
  return reply.empty() ? "" : reply.ToString();
}

Decision Decide(const PreflightRequest& req, const PreflightResult& r, const SpfOptions& options) {
  Decision d;
  if (!r.egress.empty() && EgressFails(WorstEgress(r.egress))) {
    Consider(options.egress_fail_action, "spf-egress", EgressText(req, r), &d);
  }
  if (r.dmarc.state == DmarcOutcome::State::kFound && !r.dmarc.aligned &&
      (r.dmarc.policy == "reject" || r.dmarc.policy == "quarantine")) {
    Consider(options.dmarc_action, "dmarc", DmarcText(req, r), &d);
  }
  if (r.client_checked && (r.client == SpfResult::kFail || r.client == SpfResult::kSoftFail)) {
    Consider(options.spoof_action, "spoof", SpoofText(req, r), &d);
  }
  if (AnyTempError(req, r)) {
    Consider(options.temperror_action, "temperror",
             "SPF/DMARC pre-flight could not complete (DNS temporary failure or timeout); "
             "try again later",
             &d);
  }
  FillReply(&d);
  return d;
}

}  // namespace sendguard::spf

// metrics/catalog.cc — the table of metrics and where each series lives.
#include "metrics/catalog.h"

namespace sendguard::metrics {

const double kBucketBounds[kBuckets] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};

namespace {

using Values = std::vector<std::vector<std::string>>;

// One label; "other" is appended to every labelled family.
Values One(std::initializer_list<const char*> names) {
  Values v;
  for (const char* n : names) v.push_back({n});
  v.push_back({"other"});
  return v;
}

// {check, outcome} pairs: each check's own vocabulary (the decision log's).
Values CheckOutcomes() {
  const std::vector<std::pair<const char*, std::vector<const char*>>> checks = {
      {"quota", {"ok", "over-message-limit", "over-window-limit", "unknown-user", "store-error", "off"}},
      {"sender", {"ok", "reject", "tempfail", "unsigned", "off"}},
      {"content", {"accept", "tag", "quarantine", "reject", "error", "off"}},
      {"spf", {"none", "tag", "tempfail", "reject", "error", "off"}},
      {"dkim", {"signed", "unsigned", "error", "off"}},
      {"abuse", {"none", "throttle", "hold", "suspend", "unknown", "off"}},
  };
  Values v;
  for (const auto& [check, outcomes] : checks) {
    for (const char* o : outcomes) v.push_back({check, o});
    v.push_back({check, "other"});
  }
  return v;
}

std::vector<FamilySpec> Build() {
  const Merge S = Merge::kSum;
  return {
      {Family::kMessages, "sendguard_messages_total", Kind::kCounter, S, "Messages decided, by action",
       {"action"}, One({"accept", "quarantine", "tempfail", "reject", "discard"})},
      {Family::kCheckOutcomes, "sendguard_check_outcomes_total", Kind::kCounter, S,
       "Outcome of each check per decided message", {"check", "outcome"}, CheckOutcomes()},
      {Family::kQuotaRefusals, "sendguard_quota_refusals_total", Kind::kCounter, S,
       "Recipients or messages refused by the quota, by kind", {"kind"},
       One({"over-message-limit", "over-window-limit", "unknown-user", "store-error"})},
      {Family::kAbuseActions, "sendguard_abuse_actions_total", Kind::kCounter, S,
       "Changes of an identity's abuse state, by kind", {"kind"},
       One({"notify", "throttle", "hold", "suspend", "expire", "release"})},
      {Family::kSignatures, "sendguard_dkim_signatures_total", Kind::kCounter, S, "DKIM signatures made, by algorithm",
       {"algorithm"}, One({"rsa-sha256", "ed25519-sha256"})},
      {Family::kConnections, "sendguard_milter_connections_total", Kind::kCounter, S, "Milter connections accepted", {}, {}},
      {Family::kRedisRoundTrips, "sendguard_redis_round_trips_total", Kind::kCounter, S,
       "Redis commands or pipelines sent and answered (or failed)", {}, {}},
      {Family::kRedisErrors, "sendguard_redis_errors_total", Kind::kCounter, S,
       "Redis round trips that failed (I/O, timeout, error reply)", {}, {}},
      {Family::kRedisOutages, "sendguard_redis_outages_total", Kind::kCounter, S,
       "Times Redis became unavailable and the outage policy took over", {}, {}},
      {Family::kSpfHelperRestarts, "sendguard_spf_helper_restarts_total", Kind::kCounter, S,
       "SPF helpers started again after one died or was killed", {}, {}},
      {Family::kSpfTimeouts, "sendguard_spf_timeouts_total", Kind::kCounter, S,
       "SPF/DMARC pre-flight checks that missed their deadline", {}, {}},
      {Family::kReloads, "sendguard_reloads_total", Kind::kCounter, S, "Reloads, by result", {"result"},
       One({"ok", "failed"})},
      {Family::kWorkerRestarts, "sendguard_worker_restarts_total", Kind::kCounter, S,
       "Worker processes that died and were replaced", {}, {}},
      {Family::kDecisionLogErrors, "sendguard_decision_log_errors_total", Kind::kCounter, S,
       "Decision log lines that could not be written", {}, {}},
      {Family::kAuditLogErrors, "sendguard_audit_log_errors_total", Kind::kCounter, S,
       "Audit log lines (abuse actions) that could not be written", {}, {}},
      {Family::kOpenConnections, "sendguard_open_connections", Kind::kGauge, S, "Milter connections open now", {}, {}},
      {Family::kRedisOutage, "sendguard_redis_outage", Kind::kGauge, Merge::kMax,
       "1 while some worker finds Redis unavailable", {}, {}},
      {Family::kWorkers, "sendguard_workers", Kind::kGauge, S, "Worker processes serving", {}, {}},
      {Family::kRulesLoaded, "sendguard_rules_loaded", Kind::kGauge, S, "Content rules loaded", {}, {}},
      {Family::kDkimKeysUnused, "sendguard_dkim_keys_unused", Kind::kGauge, S,
       "DKIM keys of the key table not signing: record not published or not matching, or retired", {}, {}},
      {Family::kRulesetVersion, "sendguard_ruleset_info", Kind::kGauge, S,
       "The loaded rule set (version: fingerprint of the rule files)", {}, {}, false},
      {Family::kLastReloadTime, "sendguard_last_reload_timestamp_seconds", Kind::kGauge, S,
       "When the last reload was attempted (0: none yet)", {}, {}},
      {Family::kLastReloadOk, "sendguard_last_reload_success", Kind::kGauge, S,
       "1 if the last reload succeeded (or none was attempted)", {}, {}},
      {Family::kStartTime, "process_start_time_seconds", Kind::kGauge, S, "Start time of the daemon, unix seconds",
       {}, {}},
      {Family::kDecisionSeconds, "sendguard_decision_duration_seconds", Kind::kHistogram, S,
       "Time of the end-of-message decision (checks, signing, quota commit)", {}, {}},
      {Family::kStageSeconds, "sendguard_stage_duration_seconds", Kind::kHistogram, S,
       "Time of each stage of a message's decision", {"stage"},
       One({"mail_from", "rcpt", "sender", "quota_size", "content", "spf", "dkim", "settle", "abuse"})},
      {Family::kRedisSeconds, "sendguard_redis_round_trip_duration_seconds", Kind::kHistogram, S,
       "Time of one Redis round trip", {}, {}},
  };
}

Layout BuildLayout() {
  Layout l;
  l.base.resize(static_cast<size_t>(Family::kCount_));
  for (const FamilySpec& f : Catalog()) {
    l.base[static_cast<size_t>(f.family)] = l.size;
    l.size += Width(f);
  }
  return l;
}

bool Matches(const std::vector<std::string>& series, std::initializer_list<std::string_view> labels) {
  if (series.size() != labels.size()) return false;
  size_t i = 0;
  for (std::string_view l : labels) {
    if (series[i++] != l) return false;
  }
  return true;
}

}  // namespace

const std::vector<FamilySpec>& Catalog() {
  static const std::vector<FamilySpec> catalog = Build();
  return catalog;
}

const FamilySpec& SpecOf(Family f) { return Catalog()[static_cast<size_t>(f)]; }

size_t Width(const FamilySpec& spec) {
  size_t series = spec.values.empty() ? 1 : spec.values.size();
  return series * (spec.kind == Kind::kHistogram ? kBuckets + 2 : 1);
}

const Layout& TheLayout() {
  static const Layout layout = BuildLayout();
  return layout;
}

size_t IndexOf(Family f, std::initializer_list<std::string_view> labels) {
  const FamilySpec& spec = SpecOf(f);
  size_t base = TheLayout().base[static_cast<size_t>(f)];
  if (spec.values.empty()) return base;
  size_t per = spec.kind == Kind::kHistogram ? kBuckets + 2 : 1;
  size_t other = spec.values.size() - 1;
  for (size_t i = 0; i < spec.values.size(); ++i) {
    if (Matches(spec.values[i], labels)) return base + i * per;
    // "other" of the same first label (check outcomes: one per check).
    if (spec.values[i].back() == "other" && spec.values[i].size() > 1 && labels.size() == spec.values[i].size() &&
        spec.values[i][0] == *labels.begin()) {
      other = i;
    }
  }
  return base + other * per;
}

}  // namespace sendguard::metrics

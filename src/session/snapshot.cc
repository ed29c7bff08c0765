// session/snapshot.cc — building and swapping snapshots: each part is loaded
// by its own module; the first failure aborts the whole load.
#include "session/snapshot.h"

#include <fstream>

#include "core/clock.h"
#include "core/log.h"

namespace sendguard {

namespace {

Status LoadRules(Snapshot* snap, rules::LoadReport* report) {
  const Config& c = snap->config;
  if (c.rule_paths.empty()) return Status::Ok();
  rules::LoadReport local;
  rules::LoadReport* r = report ? report : &local;
  auto set = rules::RuleSet::Load(c.rule_paths, c.rule_load, r);
  if (!set.ok()) return set.status();
  for (const rules::Problem& p : r->problems) {  // every one: `sendguard lint` lists them too
    SG_LOG(kDebug) << "rules: " << p.file << ":" << p.line << ": " << p.rule << ": " << p.reason;
  }
  Log(r->problems.empty() ? LogLevel::kInfo : LogLevel::kWarning,
      "rules: loaded " + std::to_string(r->loaded) + " of " + std::to_string(r->total) + " rules; " +
          std::to_string(r->problems.size()) + " problem(s), listed by `sendguard lint`");
  snap->rules = *set;
  return Status::Ok();
}

// The first line of a key file (like the DKIM keys: readable by root only).
Status ReadSecret(const std::string& path, std::string* secret) {
  if (path.empty()) return Status::Ok();
  std::ifstream in(path);
  if (!in || !std::getline(in, *secret)) return Status::IoError(path + ": cannot read the webhook secret");
  while (!secret->empty() && (secret->back() == '\r' || secret->back() == ' ')) secret->pop_back();
  if (secret->empty()) return Status::InvalidArgument(path + ":1: the webhook secret is empty");
  return Status::Ok();
}

Status LoadPolicies(Snapshot* snap) {
  const Config& c = snap->config;
  if (c.quota_enabled()) {
    auto policy = quota::QuotaPolicy::Load(c.quota.policy_file);
    if (!policy.ok()) return policy.status();
    snap->quota_policy = *policy;
  }
  snap->actions = policy::ActionPolicy::Defaults();
  if (!c.actions_file.empty()) {
    auto actions = policy::ActionPolicy::Load(c.actions_file);
    if (!actions.ok()) return actions.status();
    snap->actions = *actions;
  }
  if (c.senders_enabled) {
    auto senders = sender::SenderPolicy::Load(c.senders);
    if (!senders.ok()) return senders.status();
    snap->senders = *senders;
  }
  if (!c.abuse.policy_file.empty()) {
    auto abuse = abuse::AbusePolicy::Load(c.abuse.policy_file);
    if (!abuse.ok()) return abuse.status();
    snap->abuse = *abuse;
    Status s = ReadSecret(c.abuse.webhook_secret_file, &snap->webhook_secret);
    if (!s.ok()) return s;
    if (!c.abuse.alert_mail_to.empty() && c.abuse.alert_mail_from.empty()) {
      return Status::InvalidArgument(c.path + ": [abuse] alert_mail_to needs alert_mail_from (the alerts' sender)");
    }
  }
  return Status::Ok();
}

Status LoadKeys(Snapshot* snap) {
  if (snap->config.dkim.key_table_path.empty()) return Status::Ok();
  auto keys = dkim::KeySet::Load(snap->config.dkim);
  if (!keys.ok()) return keys.status();
  snap->keys = *keys;
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const Snapshot>> LoadSnapshot(const std::string& config_path,
                                                     rules::LoadReport* report) {
  Result<Config> config = LoadConfig(config_path);
  if (!config.ok()) return config.status();
  auto snap = std::make_shared<Snapshot>();
  snap->config = std::move(config).value();
  Status s = LoadPolicies(snap.get());
  if (s.ok()) s = LoadKeys(snap.get());
  if (s.ok()) s = LoadRules(snap.get(), report);
  if (!s.ok()) return s;
  snap->loaded_at_us = SystemClock::Instance().NowMicros();
  return std::shared_ptr<const Snapshot>(std::move(snap));
}


notify::WebhookOptions WebhookOptionsOf(const Snapshot& snap) {
  notify::WebhookOptions o;
  o.url = snap.config.abuse.webhook_url;
  o.secret = snap.webhook_secret;
  o.outbox_dir = snap.config.abuse.outbox_dir;
  o.timeout_ms = snap.config.abuse.webhook_timeout_ms;
  return o;
}

}  // namespace sendguard

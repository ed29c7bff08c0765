// session/snapshot.h — the immutable state every message decision reads:
// configuration, quota policy, content rules and score thresholds, DKIM keys
// and the sender policy.
//
// Contract: a Snapshot is built whole by LoadSnapshot() or not at all; a
// failed load leaves the caller's current snapshot untouched ("a broken
// reload keeps the last good state"), and its Status names file:line. Only
// the privileged parent loads snapshots (master/master.h), at start and at
// each reload, so keys readable by root alone load every time; workers get
// theirs when they are forked and never load one. A message takes one
// snapshot at MAIL FROM and uses it to the end, so a reload never mixes two
// states.
// Thread-safety: Snapshot is immutable; SnapshotHolder::Current/Replace may be
// called from any thread (atomic shared_ptr load/store).
#ifndef SENDGUARD_SESSION_SNAPSHOT_H_
#define SENDGUARD_SESSION_SNAPSHOT_H_

#include <memory>
#include <string>

#include "abuse/abuse_policy.h"
#include "config/config.h"
#include "core/status.h"
#include "dkim/key_set.h"
#include "notify/outbox.h"
#include "policy/actions.h"
#include "quota/quota_policy.h"
#include "rules/rule_set.h"
#include "sender/sender_policy.h"

namespace sendguard {

struct Snapshot {
  Config config;
  std::shared_ptr<const quota::QuotaPolicy> quota_policy;  // null: no quotas
  std::shared_ptr<const rules::RuleSet> rules;             // null: no content scan
  std::shared_ptr<const policy::ActionPolicy> actions;     // never null
  std::shared_ptr<const dkim::KeySet> keys;                // null: no signing
  std::shared_ptr<const sender::SenderPolicy> senders;     // null: no sender check
  std::shared_ptr<const abuse::AbusePolicy> abuse;         // null: no abuse detection
  std::string webhook_secret;                              // [abuse] webhook_secret_file's content
  int64_t loaded_at_us = 0;
};

// Where and how the abuse alerts of this snapshot go.
notify::WebhookOptions WebhookOptionsOf(const Snapshot& snapshot);

// `report` (optional) receives what the rule loader noticed.
Result<std::shared_ptr<const Snapshot>> LoadSnapshot(const std::string& config_path,
                                                     rules::LoadReport* report = nullptr);

class SnapshotHolder {
 public:
  explicit SnapshotHolder(std::shared_ptr<const Snapshot> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Snapshot> Current() const { return std::atomic_load(&current_); }
  void Replace(std::shared_ptr<const Snapshot> next) { std::atomic_store(&current_, std::move(next)); }

 private:
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_SNAPSHOT_H_

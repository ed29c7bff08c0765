// abuse/sim.h — the compromised-account simulation: synthetic identities
// send weeks of mail through the real abuse engine (Observe + Evaluate,
// honouring EffectiveLevel), with compromises injected after a learning
// period; measures detection, messages escaped, false restrictions and the
// engine's speed.
//
// Contract: Run() is deterministic for a given policy and Options (one
// seeded RNG, events handled in time order, hour by hour); only the timing
// figures vary between runs. Identities: personal users, transactional
// senders, exempt newsletters (quota class "bulk") and cron-like scripts on
// trusted networks (identity "ip:ADDRESS"). During the learning period the
// engine only observes (the baseline is learned as from old logs; nothing is
// restricted) unless Options::cold_start, in which case it also evaluates
// from the first message; compromises start after learning. A suspended
// identity's attempts are refused and not observed (as at MAIL FROM); a held
// or throttled one's are accepted into the hold queue, observed, and not
// counted as escaped. A restricting action (throttle, hold, suspend) inside a
// compromise window (start .. end + kGraceSeconds) detects it; any other
// restricting action after learning is a false restriction. An exempt
// compromise is detected by a notify alert inside its window. ToJson() gives
// the machine-readable results.
// Thread-safety: none.
#ifndef SENDGUARD_TESTS_UNIT_ABUSE_SIM_H_
#define SENDGUARD_TESTS_UNIT_ABUSE_SIM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "abuse/abuse_policy.h"

namespace sendguard::abuse::sim {

enum class Kind { kPersonal, kTransactional, kBulk, kScript };
constexpr int kKinds = 4;
const char* KindName(Kind k);

enum class Style { kBurst, kLowAndSlow, kManyAddresses, kContent, kBulkHijack };
constexpr int kStyles = 5;
const char* StyleName(Style s);

constexpr int64_t kSimStart = 1699833600;  // a Monday, 00:00 UTC
constexpr int64_t kGraceSeconds = 3600;    // an action this soon after a compromise still counts for it

struct Options {
  int identities = 10000;
  int weeks = 4;           // simulated, learning included
  int learning_days = 7;   // < 0: weeks * 7 / 4
  int compromises = 60;
  uint64_t seed = 1;
  bool cold_start = false;  // evaluate during learning too
};

struct Compromise {
  int identity = 0;
  Kind kind = Kind::kPersonal;
  Style style = Style::kBurst;
  int64_t start = 0, end = 0;
  int64_t attempts = 0;          // attack messages tried
  int64_t delivered = 0;         // accepted, not held, not refused
  int64_t escaped = 0;           // delivered before the first restricting action (or alert)
  bool detected = false;
  int64_t detected_at = 0;
  std::string condition;         // what detected it
  std::string action;
};

struct Action {
  int identity = 0;
  Kind kind = Kind::kPersonal;
  int64_t at = 0;
  std::string what, condition, signals;
};

struct KindStats {
  int identities = 0;
  int64_t messages = 0;          // normal (non-attack) messages tried
  int64_t false_restrictions = 0, false_suspensions = 0;
  int64_t notify_alerts = 0;     // on identities outside compromise windows
  int64_t refused = 0, held = 0; // normal messages refused / held (collateral)
  int64_t max_hour_messages = 0;
};

struct Results {
  Options options;
  std::string policy_path;
  int64_t events = 0;            // messages handed to the engine (observed)
  int64_t attempts = 0;          // messages tried, refused ones included
  double engine_seconds = 0;     // time in EffectiveLevel + Observe + Evaluate
  double wall_seconds = 0;
  double measured_days = 0;      // after learning
  int64_t learning_restrictions = 0;
  KindStats kinds[kKinds];
  std::vector<Compromise> compromises;
  std::vector<Action> false_actions;  // after learning (capped at 500)
};

Results Run(const AbusePolicy& policy, const Options& options);

// Percentile (0..100) of `values` (nearest rank); 0 for none.
double Percentile(std::vector<int64_t> values, double p);

std::string ToJson(const Results& r);

}  // namespace sendguard::abuse::sim

#endif  // SENDGUARD_TESTS_UNIT_ABUSE_SIM_H_

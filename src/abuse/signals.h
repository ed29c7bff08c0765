// abuse/signals.h — what sendguard remembers about one sending identity to
// tell a stolen password from a normal day: the last hour of its mail (in
// 5-minute buckets), the distinct recipients, recipient domains and client
// addresses it used in that hour (capped sets of hashes), a baseline of its
// normal hourly volume, and its restriction state and history.
//
// Contract: a Record is plain data. Observe() adds one finished message at
// `event.now_s` (events arrive roughly in time order; an older one counts in
// the bucket it falls in or is dropped when older than the window). Measure()
// reads the signals over the last kWindowSeconds, and the day's volume over
// the last 24 hours. The baselines are EWMAs of the messages and distinct
// recipients of the identity's active hours (hours in which it sent;
// FoldHour) and of its messages and recipients per active day (FoldDay,
// about two weeks), learned only while it is not restricted, so a burst does
// not teach the baseline that bursts are normal. The content rules that hit
// its mail in the window are counted by name (the top rule). Memory is
// bounded: at most kMaxRecipients / kMaxDomains / kMaxAddresses hashes (a
// distinct count saturates at its cap), 12 buckets, 24 hour counts,
// kMaxRules rule names, kMaxHistory entries, kMaxDecisions decisions.
// Encode()/Decode() give a compact text form for the store; Decode() of
// anything it did not write is an error, never a crash (the decision lines
// are carried as they are; DecodeDecisions() skips one it cannot read).
// Thread-safety: none (values).
#ifndef SENDGUARD_ABUSE_SIGNALS_H_
#define SENDGUARD_ABUSE_SIGNALS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "abuse/decisions.h"
#include "core/status.h"

namespace sendguard::abuse {

constexpr int64_t kWindowSeconds = 3600;
constexpr int64_t kBucketSeconds = 300;
constexpr size_t kMaxRecipients = 1024;
constexpr size_t kMaxDomains = 512;
constexpr size_t kMaxAddresses = 64;
constexpr size_t kMaxHistory = 32;
constexpr size_t kMaxEvidence = 20;
constexpr size_t kMaxHeld = 1000;
constexpr size_t kMaxRules = 16;
constexpr int64_t kDaySeconds = 86400;

// How far an identity is restricted, weakest first.
enum class Level { kNone = 0, kThrottled = 1, kHeld = 2, kSuspended = 3 };
const char* LevelName(Level level);
bool ParseLevel(const std::string& name, Level* out);

enum class ContentOutcome { kClean, kTagged, kQuarantined, kRejected };

// One message's outcome, as the session saw it.
struct MessageEvent {
  int64_t now_s = 0;
  std::vector<std::string> recipients;  // RCPTs tried (accepted or refused by the quota), as addresses
  std::string client_ip;
  bool accepted = false;                // delivered or held, not refused
  bool held = false;                    // put in the hold queue (queue_id kept for release)
  ContentOutcome content = ContentOutcome::kClean;
  std::string top_rule;
  bool sender_refused = false;          // tried to send as a foreign address
  int64_t quota_hits = 0;               // quota limits it ran into (refused RCPTs, or the message)
  std::string queue_id;
  Decision decision;                    // kept in Record::decisions when at != 0
};

struct Bucket {
  int64_t start = 0;
  int64_t messages = 0, recipients = 0, tagged = 0, quarantined = 0, rejected = 0;
  int64_t sender_refusals = 0, quota_hits = 0;
};

struct Seen {
  uint32_t hash = 0;
  int64_t last = 0;
};

// One hour of the last day: its messages and recipients.
struct HourCount {
  int64_t start = 0;
  int64_t messages = 0, recipients = 0;
};

// A content rule that hit the identity's mail within the window.
struct RuleCount {
  std::string name;
  int64_t hits = 0;
  int64_t last = 0;
};

struct HistoryEntry {
  int64_t at = 0;
  std::string what;       // "suspend", "release", "expire", "notify", ...
  std::string condition;  // the condition that fired, or "manual"
  std::string by;         // "auto" or who ran the command
  std::string detail;     // signal values, reason
};

struct Baseline {
  double messages_per_hour = 0;    // EWMA over active hours
  double recipients_per_hour = 0;  // distinct recipients, EWMA over active hours
  int64_t active_hours = 0;        // hours learned
  int64_t hour_start = 0;          // the hour being counted now
  int64_t hour_messages = 0;
  bool hour_restricted = false;    // not learned: it was restricted during it
  double messages_per_day = 0;     // EWMA over active days
  double recipients_per_day = 0;
  int64_t active_days = 0;         // days learned
  int64_t day_start = 0;           // the (UTC) day being counted now
  int64_t day_messages = 0, day_recipients = 0;
  bool day_restricted = false;
};

struct State {
  Level level = Level::kNone;
  int64_t until = 0;           // 0 with a level: until released by hand
  int64_t offences = 0;        // restricting actions so far
  int64_t last_alert = 0;
  std::string condition;       // what put it there
  std::string reason;
};

struct Record {
  std::vector<Bucket> buckets;  // oldest first, within the window
  std::vector<Seen> recipients, domains, addresses;
  std::vector<HourCount> hours;  // oldest first, within the last day
  std::vector<RuleCount> rules;
  Baseline baseline;
  State state;
  std::vector<HistoryEntry> history;  // oldest first
  std::vector<std::string> evidence;  // queue ids of recent messages
  std::vector<std::string> held;      // queue ids in the hold queue because of the state
  // The newest kMaxDecisions, oldest first, each as EncodeDecision() wrote
  // it: carried as text by the workers, parsed only by readers
  // (DecodeDecisions), so a message pays for copying them, not parsing.
  std::vector<std::string> decisions;
};

struct Signals {
  int64_t messages = 0, recipients = 0;
  int64_t distinct_recipients = 0, distinct_domains = 0, client_addresses = 0;
  int64_t content_tagged = 0, content_quarantined = 0, content_rejected = 0;
  int64_t sender_refusals = 0, quota_hits = 0;
  double baseline_messages = 0, baseline_recipients = 0;  // per active hour
  int64_t baseline_hours = 0;
  int64_t messages_24h = 0, recipients_24h = 0;            // over the last day
  double baseline_day_messages = 0, baseline_day_recipients = 0;  // per active day
  int64_t baseline_days = 0;
  std::string top_rule;    // the content rule that hit most in the window ("" none)
  int64_t top_rule_hits = 0;
};

// EWMA weight of one new active hour (about three weeks of working hours).
constexpr double kBaselineAlpha = 0.01;

// One active hour folded into a baseline learned over `learned_hours`: the
// plain mean while fewer than 1/kBaselineAlpha hours are known (a new
// account is not judged by its first hour alone), the EWMA after that.
double FoldHour(double baseline, double sample, int64_t learned_hours);

// EWMA weight of one new active day (about two weeks).
constexpr double kDayAlpha = 1.0 / 14;

// One active day folded into a daily baseline learned over `learned_days`:
// the plain mean for the first 14 days, then the EWMA.
double FoldDay(double baseline, double sample, int64_t learned_days);

// The 32-bit FNV-1a hash of `s` in lower case: how addresses are kept.
uint32_t HashOf(const std::string& s);

void Observe(Record* record, const MessageEvent& event);
Signals Measure(const Record& record, int64_t now_s);
void AddHistory(Record* record, HistoryEntry entry);
// Removes `queue_id` from the held list; false when it is not there.
bool TakeHeld(Record* record, const std::string& queue_id);

// Seeds an identity's baselines (e.g. learned from old logs).
struct BaselineSeed {
  double messages_per_hour = 0, recipients_per_hour = 0;
  int64_t hours = 0;
  double messages_per_day = 0, recipients_per_day = 0;
  int64_t days = 0;
};
void SeedBaseline(Record* record, const BaselineSeed& seed);

std::string Encode(const Record& record);
Result<Record> Decode(const std::string& text);

// "messages=12 distinct_recipients=40 ..." for logs and alerts.
std::string SignalsText(const Signals& s);

}  // namespace sendguard::abuse

#endif  // SENDGUARD_ABUSE_SIGNALS_H_

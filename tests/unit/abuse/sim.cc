// abuse/sim.cc — the compromised-account simulation (see sim.h).
#include "sim.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>

#include "abuse/ladder.h"
#include "abuse/signals.h"

namespace sendguard::abuse::sim {
namespace {

constexpr int64_t kHour = 3600, kDay = 86400;
constexpr int kBigDomains = 20;       // the large mailbox providers
constexpr int kTailDomains = 20000;   // everyone else
constexpr size_t kMaxFalseActions = 500;

using Rng = std::mt19937_64;

double Uniform(Rng& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
int UniformInt(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
bool Chance(Rng& rng, double p) { return Uniform(rng, 0, 1) < p; }
int Poisson(Rng& rng, double mean) { return mean <= 0 ? 0 : std::poisson_distribution<int>(mean)(rng); }
double LogNormal(Rng& rng, double median, double sigma, double lo, double hi) {
  return std::clamp(median * std::exp(std::normal_distribution<double>(0, sigma)(rng)), lo, hi);
}

// A recipient domain as spam lists and customer bases look: three in four
// at a big provider (skewed to the first few), the rest a long skewed tail.
std::string RandomDomain(Rng& rng) {
  double u = Uniform(rng, 0, 1);
  if (Chance(rng, 0.75)) return "big" + std::to_string(static_cast<int>(kBigDomains * u * u)) + ".example";
  return "d" + std::to_string(static_cast<int>(kTailDomains * u * u)) + ".example";
}

std::string FreshAddress(Rng& rng) {
  return "r" + std::to_string(std::uniform_int_distribution<uint64_t>(0, 1ULL << 40)(rng)) + "@" + RandomDomain(rng);
}

std::string Ip(uint32_t n) {
  char b[32];
  snprintf(b, sizeof(b), "%u.%u.%u.%u", 10 + (n >> 24) % 200, (n >> 16) & 255, (n >> 8) & 255, n & 255);
  return b;
}

// Share of a personal user's day in each local hour (sums to about 1).
constexpr double kWorkday[24] = {0.002, 0.001, 0.001, 0.001, 0.002, 0.004, 0.01, 0.03, 0.09, 0.11, 0.11, 0.10,
                                 0.06,  0.09,  0.10,  0.10,  0.08,  0.05,  0.02, 0.015, 0.012, 0.008, 0.004, 0.002};

struct Identity {
  Kind kind = Kind::kPersonal;
  std::string name;
  std::vector<std::string> addresses;     // client IPs it uses
  std::vector<std::string> correspondents;
  double rate = 0;          // personal: messages a weekday; transactional: an hour
  int tz = 0;               // hours from UTC
  // bulk: blasts at blast_hour on the days in blast_days (bit per weekday)
  int blast_hour = 0, blast_days = 0, blast_size = 0, blast_hours = 1;
  // script: every `period` minutes `per_run` messages; a nightly report
  int period = 60, per_run = 1, report_size = 0;
  int compromise = -1;
  Record record;
};

// --- identity generation ----------------------------------------------------

std::vector<std::string> PersonalAddresses(Rng& rng, uint32_t* next_ip) {
  int n = Chance(rng, 0.10) ? UniformInt(rng, 3, 4) : (Chance(rng, 0.35) ? 2 : 1);  // roaming mobile: 3-4
  std::vector<std::string> a;
  for (int i = 0; i < n; ++i) a.push_back(Ip((*next_ip)++));
  return a;
}

Identity MakePersonal(Rng& rng, int i, uint32_t* next_ip) {
  Identity id;
  id.kind = Kind::kPersonal;
  id.name = "user" + std::to_string(i) + "@corp.example";
  id.addresses = PersonalAddresses(rng, next_ip);
  id.rate = LogNormal(rng, 5, 0.7, 0.5, 60);
  id.tz = UniformInt(rng, -1, 1);
  int domains = UniformInt(rng, 2, 8), n = UniformInt(rng, 5, 40);
  std::vector<std::string> doms = {"corp.example"};
  for (int d = 1; d < domains; ++d) doms.push_back(RandomDomain(rng));
  for (int c = 0; c < n; ++c) id.correspondents.push_back("c" + std::to_string(c) + "." + std::to_string(i) + "@" + doms[UniformInt(rng, 0, domains - 1)]);
  return id;
}

Identity MakeTransactional(Rng& rng, int i, uint32_t* next_ip) {
  Identity id;
  id.kind = Kind::kTransactional;
  id.name = "shop" + std::to_string(i) + "@apps.example";
  for (int k = 0, n = UniformInt(rng, 1, 2); k < n; ++k) id.addresses.push_back(Ip((*next_ip)++));
  id.rate = LogNormal(rng, 30, 0.9, 3, 400);
  id.tz = UniformInt(rng, -1, 1);
  return id;
}

Identity MakeBulk(Rng& rng, int i, uint32_t* next_ip) {
  Identity id;
  id.kind = Kind::kBulk;
  id.name = "news" + std::to_string(i) + "@lists.example";
  id.addresses.push_back(Ip((*next_ip)++));
  id.blast_hour = UniformInt(rng, 6, 18);
  double u = Uniform(rng, 0, 1);
  id.blast_days = u < 0.6 ? 1 << UniformInt(rng, 0, 4) : u < 0.9 ? (1 << 1) | (1 << 4) : 0x1f;  // weekly, twice, daily
  id.blast_size = static_cast<int>(LogNormal(rng, 1500, 0.7, 300, 8000));
  id.blast_hours = std::max(1, id.blast_size / 2500 + 1);
  return id;
}

Identity MakeScript(Rng& rng, int i) {
  Identity id;
  id.kind = Kind::kScript;
  uint32_t ip = 0xC0A80000u + static_cast<uint32_t>(i);
  id.addresses.push_back(Ip(ip));
  id.name = "ip:" + id.addresses[0];
  static const int kPeriods[] = {5, 10, 15, 30, 60, 60, 240};
  id.period = kPeriods[UniformInt(rng, 0, 6)];
  id.per_run = Chance(rng, 0.8) ? 1 : UniformInt(rng, 2, 5);
  id.report_size = Chance(rng, 0.5) ? UniformInt(rng, 5, 20) : 0;
  for (int c = 0, n = UniformInt(rng, 1, 3); c < n; ++c) id.correspondents.push_back("ops" + std::to_string(c) + "@corp.example");
  return id;
}

// 88% personal, 5% transactional, 2% bulk, 5% scripts.
std::vector<Identity> MakeIdentities(Rng& rng, int count) {
  std::vector<Identity> ids;
  uint32_t next_ip = 1;
  for (int i = 0; i < count; ++i) {
    double u = Uniform(rng, 0, 1);
    if (u < 0.88) ids.push_back(MakePersonal(rng, i, &next_ip));
    else if (u < 0.93) ids.push_back(MakeTransactional(rng, i, &next_ip));
    else if (u < 0.95) ids.push_back(MakeBulk(rng, i, &next_ip));
    else ids.push_back(MakeScript(rng, i));
  }
  return ids;
}

// --- traffic ----------------------------------------------------------------

enum class Purpose : uint8_t { kNormal, kParty, kReport, kAttack };

struct Pending {
  int64_t at = 0;
  int identity = 0;
  Purpose purpose = Purpose::kNormal;
};

bool Weekend(int64_t t) { return (t - kSimStart) / kDay % 7 >= 5; }
int LocalHour(int64_t t, int tz) { return static_cast<int>(((t / kHour + tz) % 24 + 24) % 24); }

double PersonalRate(const Identity& id, int64_t hour) {
  return id.rate * (Weekend(hour) ? 0.25 : 1.0) * kWorkday[LocalHour(hour, id.tz)];
}

double TransactionalRate(const Identity& id, int64_t hour) {
  double diurnal = 1 + 0.35 * std::sin((LocalHour(hour, id.tz) - 9) * M_PI / 12);  // peak mid-afternoon
  return id.rate * diurnal * (Weekend(hour) ? 0.8 : 1.0);
}

void AddSpread(std::vector<Pending>* out, Rng& rng, int64_t hour, int n, int identity, Purpose p) {
  for (int k = 0; k < n; ++k) out->push_back({hour + UniformInt(rng, 0, kHour - 1), identity, p});
}

// The identity's own mail in [hour, hour + 1h).
void NormalTraffic(std::vector<Pending>* out, Rng& rng, const Identity& id, int index, int64_t hour) {
  switch (id.kind) {
    case Kind::kPersonal:
      AddSpread(out, rng, hour, Poisson(rng, PersonalRate(id, hour)), index, Purpose::kNormal);
      if (!Weekend(hour) && LocalHour(hour, id.tz) == 10 && Chance(rng, 1.0 / 500)) {
        AddSpread(out, rng, hour, 1, index, Purpose::kParty);  // an invitation to many
      }
      break;
    case Kind::kTransactional:
      AddSpread(out, rng, hour, Poisson(rng, TransactionalRate(id, hour)), index, Purpose::kNormal);
      break;
    case Kind::kBulk: {
      int64_t day_hour = (hour - kSimStart) % kDay / kHour;
      int64_t weekday = (hour - kSimStart) / kDay % 7;
      if ((id.blast_days >> weekday & 1) && day_hour >= id.blast_hour && day_hour < id.blast_hour + id.blast_hours) {
        for (int k = 0, n = id.blast_size / id.blast_hours; k < n; ++k) {
          out->push_back({hour + k * kHour / n, index, Purpose::kNormal});
        }
      }
      break;
    }
    case Kind::kScript:
      for (int64_t t = hour; t < hour + kHour; t += id.period * 60) {
        for (int k = 0; k < id.per_run; ++k) out->push_back({t + 3 + k, index, Purpose::kNormal});
      }
      if (id.report_size > 0 && (hour - kSimStart) % kDay / kHour == 2) out->push_back({hour + 60, index, Purpose::kReport});
      break;
  }
}

// --- compromises ------------------------------------------------------------

struct Attack {
  Compromise result;
  double rate = 0;                  // messages an hour
  double reject_share = 0;          // content the rules reject
  std::vector<std::string> ips;     // the attacker's client addresses
  int recipients_per_message = 1;
};

// Victims: uniform over personal and transactional identities (as stolen
// passwords are), newsletters for the bulk style; each at most once.
int PickVictim(Rng& rng, std::vector<Identity>& ids, bool bulk) {
  for (int tries = 0; tries < 100000; ++tries) {
    int i = UniformInt(rng, 0, static_cast<int>(ids.size()) - 1);
    Kind k = ids[i].kind;
    if (ids[i].compromise >= 0 || k == Kind::kScript || (k == Kind::kBulk) != bulk) continue;
    return i;
  }
  return -1;
}

Attack MakeAttack(Rng& rng, Style style, uint32_t* next_ip) {
  Attack a;
  a.result.style = style;
  int64_t hours = 1;
  auto new_ips = [&](int n) {
    for (int k = 0; k < n; ++k) a.ips.push_back(Ip(0x50000000u + (*next_ip)++));
  };
  switch (style) {
    case Style::kBurst:  // hundreds in an hour
      a.rate = UniformInt(rng, 200, 800);
      a.recipients_per_message = UniformInt(rng, 1, 3);
      new_ips(1);
      break;
    case Style::kLowAndSlow:  // under the quota, for many hours
      a.rate = UniformInt(rng, 20, 40);
      hours = UniformInt(rng, 8, 48);
      new_ips(1);
      break;
    case Style::kManyAddresses:  // a botnet with the password
      a.rate = UniformInt(rng, 40, 150);
      hours = UniformInt(rng, 1, 3);
      new_ips(UniformInt(rng, 10, 30));
      break;
    case Style::kContent:  // what the content rules refuse
      a.rate = UniformInt(rng, 10, 30);
      hours = UniformInt(rng, 2, 6);
      a.reject_share = Uniform(rng, 0.6, 0.9);
      new_ips(1);
      break;
    case Style::kBulkHijack:  // a newsletter account sending spam off schedule
      a.rate = UniformInt(rng, 500, 3000);
      hours = UniformInt(rng, 1, 2);
      a.reject_share = 0.3;
      new_ips(UniformInt(rng, 1, 3));
      break;
  }
  a.result.end = hours * kHour;  // relative until placed
  return a;
}

// Styles in turn, the bulk one every fifth; start times uniform between the
// end of learning and a day before the end.
std::vector<Attack> PlanAttacks(Rng& rng, std::vector<Identity>& ids, const Options& o, int64_t learn_end,
                                int64_t sim_end) {
  std::vector<Attack> attacks;
  uint32_t next_ip = 1;
  for (int n = 0; n < o.compromises; ++n) {
    Style style = static_cast<Style>(n % kStyles);
    int victim = PickVictim(rng, ids, style == Style::kBulkHijack);
    if (victim < 0) continue;
    Attack a = MakeAttack(rng, style, &next_ip);
    a.result.identity = victim;
    a.result.kind = ids[victim].kind;
    a.result.start = learn_end + static_cast<int64_t>(Uniform(rng, 0, 1) * std::max<int64_t>(kHour, sim_end - kDay - learn_end));
    a.result.end += a.result.start;
    ids[victim].compromise = static_cast<int>(attacks.size());
    attacks.push_back(a);
  }
  return attacks;
}

void AttackTraffic(std::vector<Pending>* out, Rng& rng, const Attack& a, int64_t hour) {
  int64_t from = std::max(hour, a.result.start), to = std::min(hour + kHour, a.result.end);
  if (from >= to) return;
  int n = Poisson(rng, a.rate * static_cast<double>(to - from) / kHour);
  for (int k = 0; k < n; ++k) {
    out->push_back({from + static_cast<int64_t>(Uniform(rng, 0, 1) * static_cast<double>(to - from)), a.result.identity,
                    Purpose::kAttack});
  }
}

// --- one message --------------------------------------------------------------

std::vector<std::string> NormalRecipients(Rng& rng, const Identity& id, Purpose p) {
  std::vector<std::string> r;
  if (id.kind == Kind::kTransactional || id.kind == Kind::kBulk) return {FreshAddress(rng)};
  if (id.kind == Kind::kScript) {
    if (p == Purpose::kReport) {
      for (int k = 0; k < id.report_size; ++k) r.push_back("team" + std::to_string(k) + "@corp.example");
      return r;
    }
    return {id.correspondents[UniformInt(rng, 0, static_cast<int>(id.correspondents.size()) - 1)]};
  }
  int n = p == Purpose::kParty ? UniformInt(rng, 30, 60) : Chance(rng, 0.7) ? 1 : Chance(rng, 0.66) ? 2 : Chance(rng, 0.9) ? UniformInt(rng, 3, 5) : UniformInt(rng, 10, 25);
  for (int k = 0; k < n; ++k) {
    if (Chance(rng, 0.85)) {
      double u = Uniform(rng, 0, 1);  // favourites first
      r.push_back(id.correspondents[static_cast<size_t>(u * u * static_cast<double>(id.correspondents.size()))]);
    } else {
      r.push_back(FreshAddress(rng));
    }
  }
  return r;
}

MessageEvent MakeEvent(Rng& rng, const Identity& id, const Pending& p, const Attack* a) {
  MessageEvent e;
  e.now_s = p.at;
  if (a != nullptr) {
    for (int k = 0; k < a->recipients_per_message; ++k) e.recipients.push_back(FreshAddress(rng));
    e.client_ip = a->ips[UniformInt(rng, 0, static_cast<int>(a->ips.size()) - 1)];
    if (Chance(rng, a->reject_share)) e.content = ContentOutcome::kRejected;
  } else {
    e.recipients = NormalRecipients(rng, id, p.purpose);
    // Mostly the first address; a roaming user hops between them.
    size_t n = id.addresses.size();
    e.client_ip = id.addresses[Chance(rng, n > 2 ? 0.4 : 0.75) ? 0 : UniformInt(rng, 0, static_cast<int>(n) - 1)];
    if (Chance(rng, 0.002)) e.content = ContentOutcome::kRejected;  // the odd false positive of the rules
  }
  return e;
}

bool Restricting(const Change& c) { return c.level_changed && c.to > c.from && c.to != Level::kNone; }

bool InWindow(const Attack* a, int64_t t) {
  return a != nullptr && t >= a->result.start && t <= a->result.end + kGraceSeconds;
}

struct Sim {
  const AbusePolicy& policy;
  Options options;
  Rng rng;
  std::vector<Identity> ids;
  std::vector<Attack> attacks;
  int64_t learn_end = 0;
  Results results;
  std::vector<int64_t> hour_counts;  // per identity, this hour

  void MarkDetected(Attack* a, int64_t t, const std::string& condition, const std::string& action) {
    if (a->result.detected) return;
    a->result.detected = true;
    a->result.detected_at = t;
    a->result.condition = condition;
    a->result.action = action;
  }

  void RecordFalse(Identity& id, int index, const Change& c, int64_t t) {
    KindStats& k = results.kinds[static_cast<int>(id.kind)];
    if (t < learn_end) {
      ++results.learning_restrictions;
      return;
    }
    ++k.false_restrictions;
    if (c.to == Level::kSuspended) ++k.false_suspensions;
    if (results.false_actions.size() < kMaxFalseActions) {
      results.false_actions.push_back({index, id.kind, t, c.what, c.condition, SignalsText(c.signals)});
    }
  }

  // One message of identity `index` through the engine, as the daemon does.
  void Handle(const Pending& p) {
    Identity& id = ids[p.identity];
    Attack* a = id.compromise >= 0 ? &attacks[id.compromise] : nullptr;
    bool attack = p.purpose == Purpose::kAttack;
    bool exempt = policy.Exempt(id.name, id.kind == Kind::kBulk ? "bulk" : "");
    bool evaluating = options.cold_start || p.at >= learn_end;
    MessageEvent e = MakeEvent(rng, id, p, attack ? a : nullptr);
    ++results.attempts;
    if (!attack) {
      ++results.kinds[static_cast<int>(id.kind)].messages;
      ++hour_counts[p.identity];
    } else {
      ++a->result.attempts;
    }

    auto t0 = std::chrono::steady_clock::now();
    Level level = evaluating ? EffectiveLevel(id.record, p.at) : Level::kNone;
    if (level == Level::kSuspended) {
      results.engine_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (attack) MarkDetected(a, p.at, id.record.state.condition, "already suspended");
      else ++results.kinds[static_cast<int>(id.kind)].refused;
      return;
    }
    e.accepted = e.content != ContentOutcome::kRejected;
    e.held = e.accepted && level != Level::kNone;
    Observe(&id.record, e);
    Change c = evaluating ? Evaluate(&id.record, policy, p.at, exempt) : Change();
    results.engine_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++results.events;

    if (attack && e.held) MarkDetected(a, p.at, id.record.state.condition, "already restricted");
    if (attack && e.accepted && !e.held && !a->result.detected) ++a->result.escaped;
    if (attack && e.accepted && !e.held) ++a->result.delivered;
    if (!attack && e.held) ++results.kinds[static_cast<int>(id.kind)].held;

    if (Restricting(c)) {
      if (InWindow(a, p.at)) MarkDetected(a, p.at, c.condition, c.what);
      else RecordFalse(id, p.identity, c, p.at);
    } else if (c.notify && c.what == "notify") {
      if (exempt && InWindow(a, p.at)) MarkDetected(a, p.at, c.condition, "notify");
      else if (p.at >= learn_end && !InWindow(a, p.at)) ++results.kinds[static_cast<int>(id.kind)].notify_alerts;
    }
  }

  void RunHour(int64_t hour, std::vector<Pending>* pending) {
    pending->clear();
    for (size_t i = 0; i < ids.size(); ++i) NormalTraffic(pending, rng, ids[i], static_cast<int>(i), hour);
    for (const Attack& a : attacks) AttackTraffic(pending, rng, a, hour);
    std::stable_sort(pending->begin(), pending->end(), [](const Pending& x, const Pending& y) { return x.at < y.at; });
    std::fill(hour_counts.begin(), hour_counts.end(), 0);
    for (const Pending& p : *pending) Handle(p);
    for (size_t i = 0; i < ids.size(); ++i) {
      KindStats& k = results.kinds[static_cast<int>(ids[i].kind)];
      k.max_hour_messages = std::max(k.max_hour_messages, hour_counts[i]);
    }
  }
};

}  // namespace

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kPersonal: return "personal";
    case Kind::kTransactional: return "transactional";
    case Kind::kBulk: return "bulk";
    case Kind::kScript: return "script";
  }
  return "?";
}

const char* StyleName(Style s) {
  switch (s) {
    case Style::kBurst: return "burst";
    case Style::kLowAndSlow: return "low_and_slow";
    case Style::kManyAddresses: return "many_addresses";
    case Style::kContent: return "content";
    case Style::kBulkHijack: return "bulk_hijack";
  }
  return "?";
}

Results Run(const AbusePolicy& policy, const Options& options) {
  auto wall0 = std::chrono::steady_clock::now();
  Sim s{policy, options, Rng(options.seed), {}, {}, 0, {}, {}};
  int64_t sim_end = kSimStart + static_cast<int64_t>(options.weeks) * 7 * kDay;
  int learning_days = options.learning_days >= 0 ? options.learning_days : options.weeks * 7 / 4;
  s.learn_end = kSimStart + learning_days * kDay;
  s.ids = MakeIdentities(s.rng, options.identities);
  s.attacks = PlanAttacks(s.rng, s.ids, options, s.learn_end, sim_end);
  s.hour_counts.assign(s.ids.size(), 0);
  s.results.options = options;
  s.results.options.learning_days = learning_days;
  s.results.policy_path = policy.path;
  s.results.measured_days = static_cast<double>(sim_end - s.learn_end) / kDay;
  for (const Identity& id : s.ids) ++s.results.kinds[static_cast<int>(id.kind)].identities;
  std::vector<Pending> pending;
  for (int64_t hour = kSimStart; hour < sim_end; hour += kHour) s.RunHour(hour, &pending);
  for (const Attack& a : s.attacks) s.results.compromises.push_back(a.result);
  s.results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return s.results;
}

double Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return static_cast<double>(v[std::clamp<size_t>(rank, 1, v.size()) - 1]);
}

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string ToJson(const Results& r) {
  std::ostringstream o;
  int64_t detected = 0, false_total = 0, false_susp = 0;
  std::vector<int64_t> escaped;
  for (const Compromise& c : r.compromises) {
    detected += c.detected;
    escaped.push_back(c.escaped);
  }
  int identities = 0;
  for (const KindStats& k : r.kinds) {
    false_total += k.false_restrictions;
    false_susp += k.false_suspensions;
    identities += k.identities;
  }
  double per = identities > 0 && r.measured_days > 0 ? 10000.0 / identities / r.measured_days : 0;
  size_t n = r.compromises.size();
  o << "{\n  \"policy\": " << Quote(r.policy_path) << ",\n"
    << "  \"options\": {\"identities\": " << r.options.identities << ", \"weeks\": " << r.options.weeks
    << ", \"learning_days\": " << r.options.learning_days << ", \"compromises\": " << r.options.compromises
    << ", \"seed\": " << r.options.seed << ", \"cold_start\": " << (r.options.cold_start ? "true" : "false") << "},\n"
    << "  \"measured_days\": " << r.measured_days << ",\n"
    << "  \"events\": " << r.events << ", \"attempts\": " << r.attempts << ",\n"
    << "  \"engine_seconds\": " << r.engine_seconds << ", \"wall_seconds\": " << r.wall_seconds << ",\n"
    << "  \"engine_events_per_second\": " << (r.engine_seconds > 0 ? r.events / r.engine_seconds : 0) << ",\n"
    << "  \"summary\": {\"detection_rate\": " << (n ? static_cast<double>(detected) / n : 0)
    << ", \"detected\": " << detected << ", \"compromises\": " << n
    << ", \"escaped_median\": " << Percentile(escaped, 50) << ", \"escaped_p95\": " << Percentile(escaped, 95)
    << ", \"false_restrictions_per_10k_per_day\": " << false_total * per
    << ", \"false_suspensions_per_10k_per_day\": " << false_susp * per
    << ", \"learning_restrictions\": " << r.learning_restrictions << "},\n"
    << "  \"targets\": {\"detection_rate\": 0.95, \"escaped_p95\": 50, \"false_suspensions_per_10k_per_day\": 1},\n";
  o << "  \"kinds\": [\n";
  for (int k = 0; k < kKinds; ++k) {
    const KindStats& s = r.kinds[k];
    double per_kind = s.identities > 0 && r.measured_days > 0 ? 10000.0 / s.identities / r.measured_days : 0;
    o << "    {\"kind\": " << Quote(KindName(static_cast<Kind>(k))) << ", \"identities\": " << s.identities
      << ", \"messages\": " << s.messages << ", \"messages_per_identity_day\": "
      << (s.identities ? static_cast<double>(s.messages) / s.identities / (r.options.weeks * 7.0) : 0)
      << ", \"max_hour_messages\": " << s.max_hour_messages << ", \"false_restrictions\": " << s.false_restrictions
      << ", \"false_suspensions\": " << s.false_suspensions
      << ", \"false_restrictions_per_10k_of_kind_per_day\": " << s.false_restrictions * per_kind
      << ", \"notify_alerts\": " << s.notify_alerts << ", \"normal_refused\": " << s.refused
      << ", \"normal_held\": " << s.held << "}" << (k + 1 < kKinds ? "," : "") << "\n";
  }
  o << "  ],\n  \"compromises\": [\n";
  for (size_t i = 0; i < n; ++i) {
    const Compromise& c = r.compromises[i];
    o << "    {\"identity\": " << c.identity << ", \"kind\": " << Quote(KindName(c.kind)) << ", \"style\": "
      << Quote(StyleName(c.style)) << ", \"start\": " << c.start << ", \"hours\": " << (c.end - c.start) / 3600.0
      << ", \"attempts\": " << c.attempts << ", \"delivered\": " << c.delivered << ", \"escaped\": " << c.escaped
      << ", \"detected\": " << (c.detected ? "true" : "false") << ", \"minutes_to_detect\": "
      << (c.detected ? (c.detected_at - c.start) / 60.0 : -1) << ", \"condition\": " << Quote(c.condition)
      << ", \"action\": " << Quote(c.action) << "}" << (i + 1 < n ? "," : "") << "\n";
  }
  o << "  ],\n  \"false_actions\": [\n";
  for (size_t i = 0; i < r.false_actions.size(); ++i) {
    const Action& a = r.false_actions[i];
    o << "    {\"identity\": " << a.identity << ", \"kind\": " << Quote(KindName(a.kind)) << ", \"at\": " << a.at
      << ", \"what\": " << Quote(a.what) << ", \"condition\": " << Quote(a.condition)
      << ", \"signals\": " << Quote(a.signals) << "}" << (i + 1 < r.false_actions.size() ? "," : "") << "\n";
  }
  o << "  ]\n}\n";
  return o.str();
}

}  // namespace sendguard::abuse::sim

// abuse_sim — the compromised-account simulation benchmark (../sim.h): weeks
// of synthetic mail of many identities, with injected compromises, through
// the real abuse engine and a policy file.
//
//   abuse_sim [POLICY] [--identities N] [--weeks N] [--learning-days N]
//             [--compromises N] [--seed N] [--cold-start] [--json FILE] [--check]
// POLICY defaults to policies/abuse.conf (run from the source root). Prints
// a few summary lines on stdout (detection, escaped messages, false
// restrictions, engine events/s); --json writes the full results (plot them
// with plot_sim.py). Exit 0 when it ran; with --check, 1 when a target of
// the issue is missed (detection >= 95%, p95 escaped <= 50, false
// suspensions <= 1 per 10,000 identities per day); 2 on bad arguments or an
// unreadable policy.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "../sim.h"

using namespace sendguard::abuse;

namespace {

struct Args {
  std::string policy = "policies/abuse.conf";
  std::string json;
  bool check = false;
  sim::Options options;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string w = argv[i];
    auto number = [&](long long* v) {
      if (i + 1 >= argc) return false;
      char* end = nullptr;
      *v = std::strtoll(argv[++i], &end, 10);
      return *end == '\0';
    };
    long long v = 0;
    if (w == "--identities" && number(&v) && v > 0) a->options.identities = static_cast<int>(v);
    else if (w == "--weeks" && number(&v) && v > 0) a->options.weeks = static_cast<int>(v);
    else if (w == "--learning-days" && number(&v) && v >= 0) a->options.learning_days = static_cast<int>(v);
    else if (w == "--compromises" && number(&v) && v >= 0) a->options.compromises = static_cast<int>(v);
    else if (w == "--seed" && number(&v)) a->options.seed = static_cast<uint64_t>(v);
    else if (w == "--cold-start") a->options.cold_start = true;
    else if (w == "--check") a->check = true;
    else if (w == "--json" && i + 1 < argc) a->json = argv[++i];
    else if (!w.empty() && w[0] != '-') a->policy = w;
    else return false;
  }
  return true;
}

// A short run keeps the learning period in proportion (a quarter).
void DefaultLearning(sim::Options* o, bool given) {
  if (!given) o->learning_days = o->weeks >= 4 ? 7 : o->weeks * 7 / 4 + (o->weeks < 4);
}

struct Summary {
  double detection = 0, escaped_median = 0, escaped_p95 = 0, false_per_day = 0, false_susp_per_day = 0;
};

Summary Summarise(const sim::Results& r) {
  Summary s;
  std::vector<int64_t> escaped;
  int detected = 0;
  for (const sim::Compromise& c : r.compromises) {
    detected += c.detected;
    escaped.push_back(c.escaped);
  }
  int64_t fr = 0, fs = 0, ids = 0;
  for (const sim::KindStats& k : r.kinds) {
    fr += k.false_restrictions;
    fs += k.false_suspensions;
    ids += k.identities;
  }
  double per = ids > 0 && r.measured_days > 0 ? 10000.0 / ids / r.measured_days : 0;
  s.detection = r.compromises.empty() ? 0 : static_cast<double>(detected) / r.compromises.size();
  s.escaped_median = sim::Percentile(escaped, 50);
  s.escaped_p95 = sim::Percentile(escaped, 95);
  s.false_per_day = fr * per;
  s.false_susp_per_day = fs * per;
  return s;
}

void PrintStyles(const sim::Results& r) {
  std::map<std::string, std::vector<const sim::Compromise*>> by;
  for (const sim::Compromise& c : r.compromises) by[sim::StyleName(c.style)].push_back(&c);
  for (const auto& [style, list] : by) {
    std::vector<int64_t> esc;
    int det = 0;
    for (const sim::Compromise* c : list) {
      det += c->detected;
      esc.push_back(c->escaped);
    }
    std::printf("style %-15s detected %d/%zu, escaped median %.0f max %.0f\n", style.c_str(), det, list.size(),
                sim::Percentile(esc, 50), sim::Percentile(esc, 100));
  }
}

void PrintKinds(const sim::Results& r) {
  for (int k = 0; k < sim::kKinds; ++k) {
    const sim::KindStats& s = r.kinds[k];
    std::printf("kind %-14s %5d identities, %9lld messages, false restrictions %lld (suspensions %lld), notify %lld\n",
                sim::KindName(static_cast<sim::Kind>(k)), s.identities, static_cast<long long>(s.messages),
                static_cast<long long>(s.false_restrictions), static_cast<long long>(s.false_suspensions),
                static_cast<long long>(s.notify_alerts));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  bool learning_given = false;
  for (int i = 1; i < argc; ++i) learning_given |= std::strcmp(argv[i], "--learning-days") == 0;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr, "usage: abuse_sim [POLICY] [--identities N] [--weeks N] [--learning-days N] "
                         "[--compromises N] [--seed N] [--cold-start] [--json FILE] [--check]\n");
    return 2;
  }
  DefaultLearning(&args.options, learning_given);
  auto policy = AbusePolicy::Load(args.policy);
  if (!policy.ok()) {
    std::fprintf(stderr, "%s\n", policy.status().ToString().c_str());
    return 2;
  }
  sim::Results r = sim::Run(**policy, args.options);
  Summary s = Summarise(r);
  std::printf("abuse_sim %d identities, %d weeks (%d learning days), seed %llu, %s\n", args.options.identities,
              args.options.weeks, r.options.learning_days, static_cast<unsigned long long>(args.options.seed),
              args.options.cold_start ? "cold start" : "baseline learned first");
  std::printf("detection %.1f%% (%zu compromises), escaped median %.0f p95 %.0f\n", 100 * s.detection,
              r.compromises.size(), s.escaped_median, s.escaped_p95);
  std::printf("false restrictions per 10k identities per day %.2f (suspensions %.2f); during learning %lld\n",
              s.false_per_day, s.false_susp_per_day, static_cast<long long>(r.learning_restrictions));
  PrintStyles(r);
  PrintKinds(r);
  std::printf("engine events/s %.0f (%lld events, %.2f s in the engine, %.1f s wall)\n",
              r.engine_seconds > 0 ? r.events / r.engine_seconds : 0, static_cast<long long>(r.events),
              r.engine_seconds, r.wall_seconds);
  if (!args.json.empty()) {
    std::ofstream out(args.json);
    out << sim::ToJson(r);
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", args.json.c_str());
      return 2;
    }
  }
  bool met = s.detection >= 0.95 && s.escaped_p95 <= 50 && s.false_susp_per_day <= 1;
  return args.check && !met ? 1 : 0;
}

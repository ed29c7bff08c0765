// quota/quota_cli.cc — the `sendguard quota` subcommands. Human output by
// default, one JSON document with --json. Failures print one line on `err`
// and return 1 (runtime) or 2 (usage).
#include "quota/quota_cli.h"

#include <cstdio>
#include <iomanip>
#include <memory>
#include <sstream>

#include "core/strings.h"
#include "quota/identity.h"
#include "quota/lmdb_quota_store.h"
#include "quota/quota_policy.h"
#include "quota/quota_view.h"
#include "quota/units.h"

namespace sendguard {
namespace quota {

namespace {

constexpr int kOk = 0, kFailure = 1, kUsage = 2;

const char* kUsageText =
    "usage: sendguard quota show USER [--json]\n"
    "       sendguard quota top [-n N] [--json]\n"
    "       sendguard quota reset USER\n"
    "       sendguard quota set-class USER CLASS\n"
    "       sendguard quota clear-class USER\n";

std::string Json(const std::string& s) { return Quoted(s); }

struct Context {
  const QuotaOptions& options;
  const StoreOpener& open_store;  // empty: the embedded store of `options`
  const Clock& clock;
  std::ostream& out;
  std::ostream& err;
  bool json = false;
  std::vector<std::string> words;  // arguments without flags
  size_t top_n = 10;
};

int Fail(Context& c, const Status& st) {
  c.err << "sendguard quota: " << st.ToString() << "\n";
  return kFailure;
}

int Usage(Context& c, const std::string& why) {
  c.err << "sendguard quota: " << why << "\n" << kUsageText;
  return kUsage;
}

Result<std::unique_ptr<QuotaStore>> OpenStore(const Context& c) {
  if (c.open_store) return c.open_store();
  auto store = LmdbQuotaStore::Open(c.options.state_dir, LmdbStoreOptions::From(c.options));
  if (!store.ok()) return store.status();
  return std::unique_ptr<QuotaStore>(std::move(store).value());
}

std::string Amount(Metric m, int64_t v) {
  return m == Metric::kBytes ? FormatSize(v) : std::to_string(v);
}

void PrintUsageHuman(Context& c, const std::vector<LimitUsage>& usage) {
  int64_t now = c.clock.NowSeconds();
  for (const LimitUsage& u : usage) {
    std::ostringstream line;
    line << "  " << std::left << std::setw(24) << u.limit.Describe() << " used "
         << Amount(u.limit.metric, u.committed);
    if (u.pending > 0) line << " (+" << Amount(u.limit.metric, u.pending) << " in flight)";
    if (u.frees_at_seconds > 0) {
      line << ", full until " << FormatRetryTime(u.frees_at_seconds, now);
    }
    c.out << line.str() << "\n";
  }
}

std::string UsageJson(const std::vector<LimitUsage>& usage) {
  std::ostringstream j;
  j << "[";
  for (size_t i = 0; i < usage.size(); ++i) {
    const LimitUsage& u = usage[i];
    j << (i ? "," : "") << "{\"metric\":" << Json(MetricName(u.limit.metric))
      << ",\"limit\":" << u.limit.limit << ",\"window_seconds\":" << u.limit.window_seconds
      << ",\"resolution_seconds\":" << u.limit.resolution_seconds
      << ",\"used\":" << u.committed << ",\"pending\":" << u.pending
      << ",\"frees_at\":" << u.frees_at_seconds << "}";
  }
  return j.str() + "]";
}

std::string AmountsJson(const Amounts& a) {
  return "{\"messages\":" + std::to_string(a.messages) +
         ",\"recipients\":" + std::to_string(a.recipients) +
         ",\"bytes\":" + std::to_string(a.bytes) + "}";
}

using ShowData = QuotaView;

Status CollectShow(Context& c, const QuotaPolicy& policy, QuotaStore& store,
                   const Identity& id, ShowData* data) {
  return ReadQuotaView(policy, store, id, c.clock.NowSeconds(), data);
}

void PrintShowHuman(Context& c, const Identity& id, const ShowData& d) {
  std::string shown = id.DisplayName() == id.name() ? "" : " (" + id.DisplayName() + ")";
  c.out << "user:       " << id.name() << shown << "\n"
        << "class:      " << d.class_name << " (" << (d.class_source == "override"
                                                          ? "override set from the CLI"
                                                          : "policy match: " + d.class_source)
        << ")\n";
  if (d.cls != nullptr) {
    c.out << "action:     " << ActionName(d.cls->action) << "\n"
          << "per message: "
          << (d.cls->rcpt_per_msg >= 0 ? std::to_string(d.cls->rcpt_per_msg) : "unlimited")
          << " recipients, max size "
          << (d.cls->max_size >= 0 ? FormatSize(d.cls->max_size) : "unlimited") << "\n";
  }
  c.out << "limits:\n";
  PrintUsageHuman(c, d.user_usage);
  if (!id.domain().empty() && !d.domain_usage.empty()) {
    c.out << "domain " << id.domain() << " (all its users):\n";
    PrintUsageHuman(c, d.domain_usage);
  }
  c.out << "last hour:  " << d.last_hour.messages << " messages, " << d.last_hour.recipients
        << " recipients, " << FormatSize(d.last_hour.bytes) << "\n";
}

void PrintShowJson(Context& c, const Identity& id, const ShowData& d) {
  c.out << "{\"user\":" << Json(id.name()) << ",\"user_display\":" << Json(id.DisplayName()) << ",\"class\":"
        << (d.cls ? Json(d.class_name) : "null") << ",\"class_source\":"
        << Json(d.class_source == "override" ? "override" : "policy")
        << ",\"matched_by\":" << Json(d.class_source);
  if (d.cls != nullptr) {
    c.out << ",\"action\":" << Json(ActionName(d.cls->action))
          << ",\"rcpt_per_msg\":" << d.cls->rcpt_per_msg << ",\"max_size\":" << d.cls->max_size;
  }
  c.out << ",\"limits\":" << UsageJson(d.user_usage);
  if (!id.domain().empty()) {
    c.out << ",\"domain\":{\"name\":" << Json(id.domain())
          << ",\"limits\":" << UsageJson(d.domain_usage) << "}";
  }
  c.out << ",\"last_hour\":" << AmountsJson(d.last_hour) << "}\n";
}

Result<Identity> ParseUser(Context& c) {
  return Identity::FromCliArgument(c.words[1], c.options);
}

int Show(Context& c) {
  if (c.words.size() != 2) return Usage(c, "show takes one USER");
  Result<Identity> id = ParseUser(c);
  if (!id.ok()) return Usage(c, id.status().message());
  Result<std::shared_ptr<const QuotaPolicy>> policy = QuotaPolicy::Load(c.options.policy_file);
  if (!policy.ok()) return Fail(c, policy.status());
  Result<std::unique_ptr<QuotaStore>> store = OpenStore(c);
  if (!store.ok()) return Fail(c, store.status());
  ShowData data;
  Status st = CollectShow(c, **policy, **store, *id, &data);
  if (!st.ok()) return Fail(c, st);
  if (c.json) {
    PrintShowJson(c, *id, data);
  } else {
    PrintShowHuman(c, *id, data);
  }
  return kOk;
}

std::pair<std::string, std::string> SplitSubject(const std::string& subject) {
  if (subject.rfind("d:", 0) == 0) return {"domain", subject.substr(2)};
  if (subject.rfind("u:", 0) == 0) return {"user", subject.substr(2)};
  return {"other", subject};
}

int Top(Context& c) {
  if (c.words.size() != 1) return Usage(c, "top takes no USER");
  Result<std::unique_ptr<QuotaStore>> store = OpenStore(c);
  if (!store.ok()) return Fail(c, store.status());
  Result<std::vector<TopEntry>> top = (*store)->Top(c.top_n, c.clock.NowSeconds());
  if (!top.ok()) return Fail(c, top.status());
  if (c.json) {
    c.out << "[";
    for (size_t i = 0; i < top->size(); ++i) {
      auto [kind, name] = SplitSubject((*top)[i].subject);
      c.out << (i ? "," : "") << "{\"kind\":" << Json(kind) << ",\"name\":" << Json(name)
            << ",\"last_hour\":" << AmountsJson((*top)[i].last_hour) << "}";
    }
    c.out << "]\n";
    return kOk;
  }
  c.out << std::left << std::setw(40) << "SENDER (last hour)" << std::right << std::setw(10)
        << "MESSAGES" << std::setw(12) << "RECIPIENTS" << std::setw(10) << "BYTES" << "\n";
  for (const TopEntry& t : *top) {
    auto [kind, name] = SplitSubject(t.subject);
    c.out << std::left << std::setw(40) << (kind == "domain" ? "@" + name + " (domain)" : name)
          << std::right << std::setw(10) << t.last_hour.messages << std::setw(12)
          << t.last_hour.recipients << std::setw(10) << FormatSize(t.last_hour.bytes) << "\n";
  }
  return kOk;
}

int Reset(Context& c) {
  if (c.words.size() != 2) return Usage(c, "reset takes one USER");
  Result<Identity> id = ParseUser(c);
  if (!id.ok()) return Usage(c, id.status().message());
  Result<std::unique_ptr<QuotaStore>> store = OpenStore(c);
  if (!store.ok()) return Fail(c, store.status());
  Status st = (*store)->Reset(id->UserSubject());
  if (!st.ok()) return Fail(c, st);
  c.out << "reset quota counts of " << id->name() << "\n";
  return kOk;
}

int SetClass(Context& c) {
  if (c.words.size() != 3) return Usage(c, "set-class takes USER CLASS");
  Result<Identity> id = ParseUser(c);
  if (!id.ok()) return Usage(c, id.status().message());
  Result<std::shared_ptr<const QuotaPolicy>> policy = QuotaPolicy::Load(c.options.policy_file);
  if (!policy.ok()) return Fail(c, policy.status());
  if ((*policy)->FindClass(c.words[2]) == nullptr) {
    std::string known;
    for (const auto& entry : (*policy)->classes()) known += " " + entry.first;
    return Usage(c, "unknown class '" + c.words[2] + "' (classes in " +
                        c.options.policy_file + ":" + known + ")");
  }
  Result<std::unique_ptr<QuotaStore>> store = OpenStore(c);
  if (!store.ok()) return Fail(c, store.status());
  Status st = (*store)->SetOverride(id->name(), c.words[2]);
  if (!st.ok()) return Fail(c, st);
  c.out << id->name() << " is now in class " << c.words[2] << "\n";
  return kOk;
}

int ClearClass(Context& c) {
  if (c.words.size() != 2) return Usage(c, "clear-class takes one USER");
  Result<Identity> id = ParseUser(c);
  if (!id.ok()) return Usage(c, id.status().message());
  Result<std::unique_ptr<QuotaStore>> store = OpenStore(c);
  if (!store.ok()) return Fail(c, store.status());
  Status st = (*store)->ClearOverride(id->name());
  if (!st.ok()) return Fail(c, st);
  c.out << id->name() << " follows the policy file again\n";
  return kOk;
}

// Splits flags (--json, -n N) from words; false on a bad flag.
bool ParseFlags(const std::vector<std::string>& args, Context* c, std::string* why) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      c->json = true;
    } else if (args[i] == "-n") {
      int64_t n;
      if (i + 1 >= args.size() || !ParseCount(args[i + 1], &n) || n <= 0) {
        *why = "-n wants a positive number";
        return false;
      }
      c->top_n = static_cast<size_t>(n);
      ++i;
    } else if (args[i].size() > 1 && args[i][0] == '-') {
      *why = "unknown option '" + args[i] + "'";
      return false;
    } else {
      c->words.push_back(args[i]);
    }
  }
  return true;
}

}  // namespace

int RunQuotaCommand(const std::vector<std::string>& args, const QuotaOptions& options,
                    const StoreOpener& open_store, const Clock& clock, std::ostream& out,
                    std::ostream& err) {
  Context c{options, open_store, clock, out, err, false, {}, 10};
  std::string why;
  if (!ParseFlags(args, &c, &why)) return Usage(c, why);
  if (c.words.empty()) return Usage(c, "missing command");
  const std::string& command = c.words[0];
  if (command == "show") return Show(c);
  if (command == "top") return Top(c);
  if (command == "reset") return Reset(c);
  if (command == "set-class") return SetClass(c);
  if (command == "clear-class") return ClearClass(c);
  return Usage(c, "unknown command '" + command + "'");
}

int RunQuotaCommand(const std::vector<std::string>& args, const QuotaOptions& options,
                    const Clock& clock, std::ostream& out, std::ostream& err) {
  return RunQuotaCommand(args, options, StoreOpener(), clock, out, err);
}

int RunQuotaCommand(const std::vector<std::string>& args, const QuotaOptions& options,
                    std::ostream& out, std::ostream& err) {
  return RunQuotaCommand(args, options, StoreOpener(), SystemClock::Instance(), out, err);
}

}  // namespace quota
}  // namespace sendguard

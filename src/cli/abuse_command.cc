// cli/abuse_command.cc — the abuse subcommands over the shared store.
#include "cli/abuse_command.h"

#include <pwd.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "abuse/alert.h"
#include "abuse/ladder.h"
#include "abuse/log_learner.h"
#include "core/net.h"
#include "core/clock.h"
#include "core/exit_codes.h"
#include "core/log.h"
#include "notify/outbox.h"
#include "quota/identity.h"
#include "session/abuse_admin.h"
#include "session/audit_log.h"
#include "session/held_mail.h"
#include "session/line_log.h"
#include "session/runtime.h"

namespace sendguard {
namespace {

constexpr const char* kUsage =
    "usage: sendguard abuse learn --postfix-log FILE... [--dry-run] | list [--all] | show USER [--json] | history USER |\n"
    "       suspend USER [--for DURATION] [--level suspend|hold|throttle] [--reason TEXT] |\n"
    "       release USER [--deliver-held|--delete-held]   [-c FILE]\n";

struct Context {
  Config config;
  std::unique_ptr<quota::QuotaStore> store;
  int64_t now = 0;
  std::ostream& out;
  std::ostream& err;
};

std::string Key(const Config& c, const std::string& user) { return AbuseRecordKey(c, user); }

std::string Invoker() {
  const struct passwd* pw = getpwuid(getuid());
  return std::string("cli:") + (pw ? pw->pw_name : std::to_string(getuid()));
}

std::string When(int64_t t) {
  if (t == 0) return "until released";
  char buf[32];
  time_t tt = static_cast<time_t>(t);
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", gmtime(&tt));
  return buf;
}

bool ParseFor(const std::string& s, int64_t* seconds) {
  if (s.size() < 2) return false;
  char* end = nullptr;
  long long n = strtoll(s.c_str(), &end, 10);
  if (end != s.c_str() + s.size() - 1 || n <= 0) return false;
  int64_t unit = s.back() == 'm' ? 60 : s.back() == 'h' ? 3600 : s.back() == 'd' ? 86400 : s.back() == 'w' ? 604800 : 0;
  *seconds = n * unit;
  return unit != 0;
}

Result<abuse::Record> Load(Context& c, const std::string& key) { return LoadAbuseRecord(c.store.get(), key); }

// Read-modify-write of one identity's record.
Status Change(Context& c, const std::string& key, const std::function<abuse::Change(abuse::Record*)>& fn,
              abuse::Record* after) {
  Result<abuse::Record> saved = ChangeAbuseRecord(c.store.get(), key, fn);
  if (!saved.ok()) return saved.status();
  *after = *saved;
  return Status::Ok();
}

void PrintState(Context& c, const std::string& user, const abuse::Record& r) {
  abuse::Level level = abuse::EffectiveLevel(r, c.now);
  c.out << user << ": " << abuse::LevelName(level);
  if (level != abuse::Level::kNone) c.out << " (" << r.state.condition << ", " << When(r.state.until) << ")";
  c.out << "\n";
}

int Show(Context& c, const std::string& user, bool json) {
  Result<abuse::Record> r = Load(c, Key(c.config, user));
  if (!r.ok()) return c.err << "sendguard: " << r.status().ToString() << "\n", 1;
  abuse::Signals s = abuse::Measure(*r, c.now);
  abuse::Level level = abuse::EffectiveLevel(*r, c.now);
  if (json) {
    c.out << "{\"identity\": \"" << quota::NormalizeLogin(user, c.config.identity.fold_case) << "\", \"state\": \""
          << abuse::LevelName(level) << "\", \"until\": " << r->state.until << ", \"offences\": " << r->state.offences
          << ", \"messages_1h\": " << s.messages << ", \"distinct_recipients_1h\": " << s.distinct_recipients
          << ", \"distinct_domains_1h\": " << s.distinct_domains << ", \"client_addresses_1h\": " << s.client_addresses
          << ", \"baseline_messages\": " << s.baseline_messages << ", \"held\": " << r->held.size() << "}\n";
    return 0;
  }
  PrintState(c, user, *r);
  c.out << "  last hour: " << abuse::SignalsText(s) << " (baseline over " << s.baseline_hours << " active hours)\n"
        << "  offences: " << r->state.offences << ", held messages: " << r->held.size() << "\n";
  for (const abuse::HistoryEntry& h : r->history) {
    c.out << "  " << When(h.at) << " " << h.what << " " << h.condition << " by " << h.by << ": " << h.detail << "\n";
  }
  return 0;
}

int History(Context& c, const std::string& user) {
  Result<abuse::Record> r = Load(c, Key(c.config, user));
  if (!r.ok()) return c.err << "sendguard: " << r.status().ToString() << "\n", 1;
  for (const abuse::HistoryEntry& h : r->history) {
    c.out << When(h.at) << " " << h.what << " " << h.condition << " by " << h.by << ": " << h.detail << "\n";
  }
  return 0;
}

int List(Context& c, bool all) {
  Result<std::vector<std::string>> keys = c.store->RecordKeys("a:");
  if (!keys.ok()) return c.err << "sendguard: " << keys.status().ToString() << "\n", 1;
  for (const std::string& key : *keys) {
    Result<abuse::Record> r = Load(c, key);
    if (!r.ok()) continue;
    if (all || abuse::EffectiveLevel(*r, c.now) != abuse::Level::kNone) PrintState(c, key.substr(2), *r);
  }
  return 0;
}

// Manual actions alert the abuse desk like automatic ones. The outbox
// belongs to the workers' user, who delivers it: the file is given to them.
void AlertManualChange(Context& c, const std::string& user, const abuse::Change& change, const abuse::Record& after) {
  const AbuseConfig& a = c.config.abuse;
  if (a.webhook_url.empty() || a.policy_file.empty()) return;
  notify::WebhookOptions o;
  o.url = a.webhook_url;
  o.outbox_dir = a.outbox_dir;
  notify::Alert alert{abuse::AlertId(user, SteadyNowMicros()), abuse::AlertJson(user, change, after, RelayName(), c.now)};
  Status s = notify::Enqueue(o, alert);
  if (!s.ok()) {
    c.err << "sendguard: alert not queued: " << s.ToString() << "\n";
    return;
  }
  struct stat dir;
  if (stat(a.outbox_dir.c_str(), &dir) != 0) return;
  for (const auto& entry : std::filesystem::directory_iterator(a.outbox_dir)) {
    if (entry.path().filename().string().rfind(alert.id, 0) == 0) {
      if (chown(entry.path().c_str(), dir.st_uid, dir.st_gid) != 0) {
        c.err << "sendguard: cannot hand " << entry.path().string() << " to the outbox owner: "
              << strerror(errno) << "\n";
      }
    }
  }
}

int Suspend(Context& c, const std::string& user, const std::vector<std::string>& opts) {
  int64_t duration = 0;
  abuse::Level level = abuse::Level::kSuspended;
  std::string reason = "suspended by hand";
  for (size_t i = 0; i + 1 < opts.size(); i += 2) {
    if (opts[i] == "--for" && ParseFor(opts[i + 1], &duration)) continue;
    if (opts[i] == "--level" && abuse::ParseLevel(opts[i + 1], &level) && level != abuse::Level::kNone) continue;
    if (opts[i] == "--reason") {
      reason = opts[i + 1];
      continue;
    }
    return c.err << "sendguard: bad option '" << opts[i] << " " << opts[i + 1] << "'\n" << kUsage, kExitUsage;
  }
  if (opts.size() % 2) return c.err << kUsage, kExitUsage;
  abuse::Record after;
  abuse::Change change;
  Status s = Change(c, Key(c.config, user), [&](abuse::Record* r) {
    return change = abuse::Suspend(r, level, c.now, duration ? c.now + duration : 0, reason, Invoker());
  }, &after);
  if (!s.ok()) return c.err << "sendguard: " << s.ToString() << "\n", 1;
  AlertManualChange(c, user, change, after);
  Audit(abuse::FromChange(user, change, c.now, Invoker(), reason));
  PrintState(c, user, after);
  return 0;
}

// postsuper -H (out of the hold queue, then delivered at once with
// postqueue -i) or postsuper -d (deleted), for each queue id.
int HeldMail(Context& c, const std::string& user, bool deliver, const std::vector<std::string>& ids) {
  if (ids.empty()) return 0;
  Status s = RunHeldMailTool(c.config, deliver, ids);
  Audit(HeldMailEntry(user, deliver, ids, Invoker(), c.now, s));
  if (!s.ok()) {
    c.err << "sendguard: " << s.message() << "\n";
    return 1;
  }
  c.out << (deliver ? "released " : "deleted ") << ids.size() << " held message(s)\n";
  return 0;
}

int Release(Context& c, const std::string& user, const std::vector<std::string>& opts) {
  int held_action = 0;  // 1 deliver, -1 delete
  for (const std::string& o : opts) {
    if (o == "--deliver-held") held_action = 1;
    else if (o == "--delete-held") held_action = -1;
    else return c.err << "sendguard: bad option '" << o << "'\n" << kUsage, kExitUsage;
  }
  std::vector<std::string> held;
  abuse::Record after;
  abuse::Change change;
  Status s = Change(c, Key(c.config, user), [&](abuse::Record* r) {
    held = r->held;
    return change = abuse::Release(r, c.now, Invoker());
  }, &after);
  if (!s.ok()) return c.err << "sendguard: " << s.ToString() << "\n", 1;
  AlertManualChange(c, user, change, after);
  Audit(abuse::FromChange(user, change, c.now, Invoker()));
  PrintState(c, user, after);
  return held_action ? HeldMail(c, user, held_action > 0, held) : 0;
}

// abuse learn --postfix-log FILE... [--dry-run]: baselines from old logs,
// for identities that have learned less than the logs show.
int Learn(Context& c, const std::vector<std::string>& args) {
  std::vector<std::string> files;
  bool dry_run = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--dry-run") dry_run = true;
    else if (args[i] != "--postfix-log") files.push_back(args[i]);
  }
  if (files.empty()) return c.err << "sendguard: abuse learn --postfix-log FILE... [--dry-run]\n", kExitUsage;
  const std::vector<IpPrefix>& trusted = c.config.identity.trusted_networks;
  abuse::PostfixLogLearner learner([&trusted](const std::string& ip) {
    Result<IpAddress> a = IpAddress::Parse(ip);
    return a.ok() && InAnyPrefix(trusted, *a);
  });
  for (const std::string& f : files) {
    std::ifstream in(f);
    if (!in) return c.err << "sendguard: cannot open " << f << "\n", 1;
    for (std::string line; std::getline(in, line);) learner.AddLine(line);
  }
  size_t seeded = 0;
  for (const abuse::LearnedBaseline& b : learner.Baselines()) {
    std::string id = IpAddress::Parse(b.identity).ok() ? b.identity : quota::NormalizeLogin(b.identity, c.config.identity.fold_case);
    c.out << id << ": " << b.messages << " messages in " << b.active_hours << " active hours, "
          << b.messages_per_hour << " messages and " << b.recipients_per_hour << " recipients per active hour\n";
    if (dry_run) continue;
    abuse::Record after;
    Status s = Change(c, "a:" + id, [&](abuse::Record* r) {
      if (r->baseline.active_hours < b.active_hours) {
        abuse::SeedBaseline(r, {b.messages_per_hour, b.recipients_per_hour, b.active_hours, b.messages_per_day,
                                b.recipients_per_day, b.active_days});
      }
      return abuse::Change();
    }, &after);
    if (!s.ok()) return c.err << "sendguard: " << s.ToString() << "\n", 1;
    ++seeded;
  }
  c.out << "learned from " << learner.messages_seen() << " messages; " << seeded << " identities updated"
        << (dry_run ? " (dry run: none written)" : "") << "\n";
  return 0;
}

int Dispatch(Context& c, const std::vector<std::string>& args) {
  const std::string& verb = args[0];
  std::vector<std::string> rest(args.begin() + (args.size() > 1 ? 2 : 1), args.end());
  if (verb == "learn") return Learn(c, args);
  if (verb == "list") return List(c, !args.empty() && args.size() > 1 && args[1] == "--all");
  if (args.size() < 2) return c.err << kUsage, kExitUsage;
  const std::string& user = args[1];
  if (verb == "show") return Show(c, user, !rest.empty() && rest[0] == "--json");
  if (verb == "history") return History(c, user);
  if (verb == "suspend") return Suspend(c, user, rest);
  if (verb == "release") return Release(c, user, rest);
  return c.err << "sendguard: unknown abuse command '" << verb << "'\n" << kUsage, kExitUsage;
}

// The commands that change an identity's state write their audit entries to
// [log] audit_log themselves; one that cannot open it does not act.
int OpenAuditLog(const Config& config, const std::string& verb, std::ostream& err) {
  if (config.log.audit_log.empty() || (verb != "suspend" && verb != "release")) return 0;
  Result<int> fd = OpenLogFile(config.log.audit_log, "[log] audit_log");
  if (!fd.ok()) return err << "sendguard: " << fd.status().message() << "; nothing changed\n", 1;
  auto log = std::make_shared<LineLog>(*fd, "audit log", metrics::Family::kAuditLogErrors);
  SetAuditSink([log](const std::string& line) { log->Write(line); });
  return 0;
}

}  // namespace

int RunAbuseCommand(const std::vector<std::string>& args, const std::string& config_path, std::ostream& out,
                    std::ostream& err) {
  if (args.empty()) return err << kUsage, kExitUsage;
  Result<Config> config = LoadConfig(config_path);
  if (!config.ok()) return err << "sendguard: " << config.status().message() << "\n", kExitConfig;
  if (!config->quota_enabled()) {
    err << "sendguard: the abuse state lives in the quota store, and quotas are off in " << config_path << "\n";
    return kExitConfig;
  }
  LogOptions log;  // the audit lines go where the daemon's go
  log.to_syslog = config->log.to_syslog;
  log.min_level = config->log.level;
  ConfigureLogging(log);
  if (int code = OpenAuditLog(*config, args[0], err); code != 0) return code;
  Result<std::unique_ptr<quota::QuotaStore>> store = OpenQuotaStore(*config, /*for_cli=*/true);
  if (!store.ok()) return err << "sendguard: " << store.status().ToString() << "\n", 1;
  Context c{*config, std::move(store).value(), SystemClock::Instance().NowSeconds(), out, err};
  return Dispatch(c, args);
}

}  // namespace sendguard

// cli/keys_command.cc — `sendguard keys check | status | rotate | retire`.
#include "cli/keys_command.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <ostream>

#include "config/config.h"
#include "core/exit_codes.h"
#include "core/strings.h"
#include "dkim/key_check.h"
#include "dkim/keygen.h"
#include "dkim/rotation.h"
#include "dkim/table_file.h"
#include "idna/idna.h"
#include "proc/control_socket.h"
#include "quota/units.h"

namespace sendguard {
namespace {

constexpr const char* kUsage =
    "usage: sendguard keys check [--json] | status [--json]\n"
    "       | rotate --domain D [--type rsa|ed25519] [--bits N] [--selector S] [--key NAME] [--grace 7d]\n"
    "       | retire --domain D [--force]                       [-c FILE]\n";

struct KeysArgs {
  std::string sub, domain, type, selector, key, grace = "7d";
  int bits = 2048;
  bool json = false, force = false;
};

Status ParseKeysArgs(const std::vector<std::string>& args, KeysArgs* a) {
  if (args.empty()) return Status::InvalidArgument("which keys command?");
  a->sub = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& f = args[i];
    if (f == "--json") a->json = true;
    else if (f == "--force") a->force = true;
    else if (i + 1 >= args.size()) return Status::InvalidArgument("unknown argument " + f);
    else if (f == "--domain") a->domain = args[++i];
    else if (f == "--type") a->type = args[++i];
    else if (f == "--selector") a->selector = args[++i];
    else if (f == "--key") a->key = args[++i];
    else if (f == "--grace") a->grace = args[++i];
    else if (f == "--bits" && args[i + 1].find_first_not_of("0123456789") == std::string::npos &&
             args[i + 1].size() < 6 && !args[i + 1].empty())
      a->bits = std::stoi(args[++i]);
    else return Status::InvalidArgument("bad argument " + f + " " + args[i + 1]);
  }
  if (!a->type.empty() && a->type != "rsa" && a->type != "ed25519")
    return Status::InvalidArgument("--type is rsa or ed25519");
  return Status::Ok();
}

struct Loaded {
  Config config;
  std::shared_ptr<const dkim::KeySet> keys;
  std::vector<dkim::KeyProbe> probes;
  std::string rotation_path;
};

Result<Loaded> LoadKeys(const std::string& config_path) {
  Result<Config> config = LoadConfig(config_path);
  if (!config.ok()) return config.status();
  if (config->dkim.key_table_path.empty())
    return Status::InvalidArgument(config_path + ": [dkim] key_table is not set: no keys");
  auto keys = dkim::KeySet::Load(config->dkim);
  if (!keys.ok()) return keys.status();
  auto probes = dkim::ProbesOf(**keys);
  if (!probes.ok()) return probes.status();
  return Loaded{*config, *keys, *probes, dkim::RotationFilePath(config->daemon.state_dir)};
}

const dkim::KeyEntry* EntryNamed(const dkim::KeySet& keys, const std::string& name) {
  for (const dkim::KeyEntry& e : keys.entries())
    if (e.name == name) return &e;
  return nullptr;
}

std::string RecordOf(const dkim::KeySet& keys, const std::string& name) {
  const dkim::KeyEntry* e = EntryNamed(keys, name);
  return e ? e->selector + "._domainkey." + e->domain : name + " (not in the key table)";
}

std::string When(int64_t t) { return quota::FormatRetryTime(t, 0); }

// --- keys check

// What a check saw moves a rotation from publish to grace.
void AdvanceFromChecks(const Loaded& l, const std::vector<dkim::KeyCheck>& checks, std::ostream& err) {
  auto lock = dkim::RotationLock::Acquire(l.rotation_path, true);
  if (!lock.ok()) return;
  Result<std::vector<dkim::RotationPlan>> plans = dkim::LoadRotations(l.rotation_path);
  if (!plans.ok() || plans->empty()) return;
  dkim::ChecksByKey by_key;
  for (size_t i = 0; i < l.probes.size(); ++i) by_key[l.probes[i].name] = checks[i];
  int64_t now = time(nullptr);
  if (!dkim::AdvanceRotations(by_key, now, &plans.value())) return;
  Status s = dkim::SaveRotations(l.rotation_path, *plans);
  if (!s.ok()) err << "sendguard keys: " << s.message() << "\n";
  for (const dkim::RotationPlan& p : *plans)
    if (p.stage == dkim::RotationPlan::Stage::kGrace && p.since == now && s.ok())
      err << p.domain << ": " << p.new_key << " is published and signs from now on; keep "
          << RecordOf(*l.keys, p.old_key) << " published until " << When(p.since + p.grace_s)
          << ", then run `sendguard keys retire --domain " << p.domain << "`\n";
}

int Check(const Loaded& l, const KeysArgs& a, std::ostream& out, std::ostream& err) {
  auto resolver = dns::OpenTxtResolver(l.config.spf.dns_data_file, l.config.spf.resolver_timeout_s);
  if (!resolver.ok()) {
    err << "sendguard keys: " << resolver.status().message() << "\n";
    return kExitConfig;
  }
  std::vector<dkim::KeyCheck> checks;
  bool problem = false;
  for (const dkim::KeyProbe& p : l.probes) {
    checks.push_back(dkim::CheckKey(p, **resolver));
    problem = problem || dkim::IsProblem(checks.back().state);
  }
  out << (a.json ? dkim::CheckReportJson(l.probes, checks) : dkim::CheckReportText(l.probes, checks));
  AdvanceFromChecks(l, checks, err);
  return problem ? 1 : kExitOk;
}

// --- keys status

struct DomainStatus {
  std::string domain, stage = "steady", text;
  const dkim::RotationPlan* plan = nullptr;
};

DomainStatus StatusOf(const Loaded& l, const std::string& domain, const std::vector<dkim::RotationPlan>& plans,
                      int64_t now) {
  DomainStatus d;
  d.domain = domain;
  for (const dkim::RotationPlan& p : plans)
    if (p.domain == domain) d.plan = &p;
  const dkim::RotationPlan* p = d.plan;
  if (p == nullptr) {
    d.text = "signs with " + Join(l.keys->ExactEntryFor(domain), ", ");
  } else if (p->stage == dkim::RotationPlan::Stage::kPublish) {
    d.stage = "publish";
    d.text = "since " + When(p->since) + ": waiting for " + RecordOf(*l.keys, p->new_key) + " in DNS; " +
             p->old_key + " signs until it is seen";
  } else if (!p->RetireReady(now)) {
    d.stage = "grace";
    d.text = p->new_key + " signs; keep " + RecordOf(*l.keys, p->old_key) + " published until " +
             When(p->since + p->grace_s);
  } else {
    d.stage = "retire";
    d.text = p->new_key + " signs; run `sendguard keys retire --domain " + domain + "`";
  }
  return d;
}

std::string StatusJson(const Loaded& l, const std::vector<DomainStatus>& all) {
  std::string out = "{\"domains\":[";
  for (const DomainStatus& d : all) {
    std::vector<std::string> keys;
    for (const std::string& k : l.keys->ExactEntryFor(d.domain)) keys.push_back(Quoted(k));
    out += std::string(&d == &all.front() ? "" : ",") + "{\"domain\":" + Quoted(d.domain) + ",\"stage\":\"" +
           d.stage + "\",\"keys\":[" + Join(keys, ",") + "]";
    if (d.plan)
      out += ",\"old_key\":" + Quoted(d.plan->old_key) + ",\"new_key\":" + Quoted(d.plan->new_key) +
             ",\"stage_since\":" + std::to_string(d.plan->since) + ",\"grace_seconds\":" +
             std::to_string(d.plan->grace_s);
    out += ",\"text\":" + Quoted(d.text) + "}";
  }
  return out + "]}\n";
}

int ShowStatus(const Loaded& l, const KeysArgs& a, std::ostream& out, std::ostream& err) {
  auto plans = dkim::LoadRotations(l.rotation_path);
  if (!plans.ok()) {
    err << "sendguard keys: " << plans.status().message() << "\n";
    return 1;
  }
  std::vector<std::string> domains = l.keys->ExactDomains();
  for (const dkim::RotationPlan& p : *plans)
    if (std::find(domains.begin(), domains.end(), p.domain) == domains.end()) domains.push_back(p.domain);
  std::vector<DomainStatus> all;
  for (const std::string& d : domains) all.push_back(StatusOf(l, d, *plans, time(nullptr)));
  if (a.json) {
    out << StatusJson(l, all);
    return kExitOk;
  }
  for (const DomainStatus& d : all) out << d.domain << "  " << d.stage << ": " << d.text << "\n";
  return kExitOk;
}

// --- keys rotate / retire

// Tells a running daemon to read the changed tables.
int ReloadDaemon(const Config& config, std::ostream& out, std::ostream& err) {
  Result<std::string> answer = proc::RequestControl(config.ControlSocket(), "reload", 60);
  if (!answer.ok()) {
    out << "no daemon answered (" << answer.status().message() << "); it reads the tables when it starts\n";
    return kExitOk;
  }
  bool ok = proc::ControlAnswerOk(*answer);
  (ok ? out : err) << "daemon: " << *answer;
  return ok ? kExitOk : 1;
}

std::string Today() {
  char buf[16];
  time_t now = time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

// "s20261203", then "s20261203b", ... : one not in the key table whose key file does not exist.
std::string NextSelector(const dkim::KeySet& keys, const std::string& domain, const std::string& dir) {
  std::string base = "s" + Today();
  for (char suffix = 'a';; ++suffix) {
    std::string sel = suffix == 'a' ? base : base + suffix;
    struct stat st;
    bool taken = stat((dir + "/" + sel + ".private").c_str(), &st) == 0 || suffix > 'z';
    for (const dkim::KeyEntry& e : keys.entries()) taken = taken || (e.domain == domain && e.selector == sel);
    if (!taken || suffix > 'z') return sel;
  }
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

Status PlanRotation(const Loaded& l, const KeysArgs& a, const std::string& domain, dkim::RotationPlan* plan,
                    const dkim::KeyEntry** old_entry) {
  std::vector<std::string> names = l.keys->ExactEntryFor(domain);
  if (names.empty()) return Status::InvalidArgument(domain + " has no line of its own in the signing table");
  std::string old = a.key.empty() ? names.front() : a.key;
  if (std::find(names.begin(), names.end(), old) == names.end())
    return Status::InvalidArgument("key " + old + " does not sign " + domain);
  *old_entry = EntryNamed(*l.keys, old);
  if ((*old_entry)->domain != domain)
    return Status::InvalidArgument("key " + old + " signs as d=" + (*old_entry)->domain + ", not " + domain);
  if (!quota::ParseDuration(a.grace, &plan->grace_s)) return Status::InvalidArgument("bad --grace " + a.grace);
  plan->domain = domain;
  plan->old_key = old;
  plan->since = time(nullptr);
  return Status::Ok();
}

Status MakeNextKey(const Loaded& l, const KeysArgs& a, const dkim::KeyEntry& old, dkim::RotationPlan* plan,
                   std::string* txt) {
  dkim::KeygenOptions k;
  k.domain = plan->domain;
  k.dir = DirOf(old.path);
  k.selector = a.selector.empty() ? NextSelector(*l.keys, plan->domain, k.dir) : a.selector;
  k.type = a.type.empty() ? old.key.type : a.type == "rsa" ? dkim::KeyType::kRsa : dkim::KeyType::kEd25519;
  k.bits = a.bits;
  plan->new_key = k.selector + "._domainkey." + plan->domain;
  if (EntryNamed(*l.keys, plan->new_key)) return Status::InvalidArgument("key " + plan->new_key + " exists already");
  Result<dkim::KeygenResult> made = dkim::GenerateKey(k);
  if (!made.ok()) return made.status();
  *txt = made->txt_record;
  std::string line = plan->new_key + " " + plan->domain + ":" + k.selector + ":" + made->private_key_path +
                     " require-published";
  Status s = dkim::AppendTableLine(l.config.dkim.key_table_path, line);
  std::vector<std::string> fields = {plan->domain};
  for (const std::string& n : l.keys->ExactEntryFor(plan->domain)) {
    fields.push_back(n);
    if (n == plan->old_key) fields.push_back(plan->new_key);
  }
  if (s.ok()) s = dkim::ReplaceTableLine(l.config.dkim.signing_table_path, plan->domain, fields);
  return s;
}

Result<std::string> CanonicalArgDomain(const KeysArgs& a) {
  if (a.domain.empty()) return Status::InvalidArgument("--domain is required");
  return idna::CanonicalDomain(a.domain);
}

// What rotate and retire change, held under the rotation lock: the
// --domain argument (canonical) and the plans as they are on disk.
struct LockedRotations {
  dkim::RotationLock lock;
  std::string domain;
  std::vector<dkim::RotationPlan> plans;
};

Result<LockedRotations> LockRotations(const Loaded& l, const KeysArgs& a) {
  Result<std::string> domain = CanonicalArgDomain(a);
  if (!domain.ok()) return domain.status();
  auto lock = dkim::RotationLock::Acquire(l.rotation_path, true);
  if (!lock.ok()) return lock.status();
  auto plans = dkim::LoadRotations(l.rotation_path);
  if (!plans.ok()) return plans.status();
  return LockedRotations{std::move(lock).value(), *domain, std::move(plans).value()};
}

int Rotate(const Loaded& l, const KeysArgs& a, std::ostream& out, std::ostream& err) {
  auto fail = [&err](const Status& s) {
    err << "sendguard keys rotate: " << s.message() << "\n";
    return 1;
  };
  Result<LockedRotations> locked = LockRotations(l, a);
  if (!locked.ok()) return fail(locked.status());
  const std::string* domain = &locked->domain;
  std::vector<dkim::RotationPlan>* plans = &locked->plans;
  for (const dkim::RotationPlan& p : *plans)
    if (p.domain == *domain)
      return fail(Status::InvalidArgument("a rotation of " + p.domain + " is in its " + dkim::StageName(p.stage) +
                                          " stage (see `sendguard keys status`)"));
  dkim::RotationPlan plan;
  const dkim::KeyEntry* old = nullptr;
  std::string txt;
  Status s = PlanRotation(l, a, *domain, &plan, &old);
  if (s.ok()) s = MakeNextKey(l, a, *old, &plan, &txt);
  plans->push_back(plan);
  if (s.ok()) s = dkim::SaveRotations(l.rotation_path, *plans);
  if (!s.ok()) return fail(s);
  out << plan.domain << ": new key " << plan.new_key << "; publish this record:\n" << txt
      << plan.old_key << " keeps signing until sendguard sees the record (`sendguard keys check` shows it); then "
      << plan.new_key << " signs, and " << RecordOf(*l.keys, plan.old_key) << " must stay published for "
      << quota::FormatDuration(plan.grace_s) << "\n";
  return ReloadDaemon(l.config, out, err);
}

Status RetireAllowed(const dkim::RotationPlan& p, bool force, int64_t now) {
  if (p.stage == dkim::RotationPlan::Stage::kPublish)
    return Status::InvalidArgument("the new key " + p.new_key + " has not been seen in DNS yet: nothing to retire");
  if (!p.RetireReady(now) && !force)
    return Status::InvalidArgument("receivers may still verify mail signed by " + p.old_key + " until " +
                                   When(p.since + p.grace_s) + " (--force to retire it anyway)");
  return Status::Ok();
}

int Retire(const Loaded& l, const KeysArgs& a, std::ostream& out, std::ostream& err) {
  auto fail = [&err](const Status& s) {
    err << "sendguard keys retire: " << s.message() << "\n";
    return 1;
  };
  Result<LockedRotations> locked = LockRotations(l, a);
  if (!locked.ok()) return fail(locked.status());
  const std::string* domain = &locked->domain;
  std::vector<dkim::RotationPlan>* plans = &locked->plans;
  auto it = std::find_if(plans->begin(), plans->end(), [&](const dkim::RotationPlan& p) { return p.domain == *domain; });
  if (it == plans->end()) return fail(Status::InvalidArgument("no rotation of " + *domain + " is in progress"));
  Status s = RetireAllowed(*it, a.force, time(nullptr));
  std::vector<std::string> fields = {*domain};
  for (const std::string& n : l.keys->ExactEntryFor(*domain))
    if (n != it->old_key) fields.push_back(n);
  if (s.ok()) s = dkim::ReplaceTableLine(l.config.dkim.signing_table_path, *domain, fields);
  if (s.ok()) s = dkim::CommentOutTableLine(l.config.dkim.key_table_path, it->old_key, "retired " + Today());
  std::string record = RecordOf(*l.keys, it->old_key);
  const dkim::KeyEntry* old = EntryNamed(*l.keys, it->old_key);
  dkim::RotationPlan done = *it;
  plans->erase(it);
  if (s.ok()) s = dkim::SaveRotations(l.rotation_path, *plans);
  if (!s.ok()) return fail(s);
  out << *domain << ": " << done.old_key << " retired; " << done.new_key << " signs. The record " << record
      << " may now be removed from DNS" << (old ? "; the key file " + old->path + " is no longer used" : "") << "\n";
  return ReloadDaemon(l.config, out, err);
}

}  // namespace

int RunKeysCommand(const std::vector<std::string>& args, const std::string& config_path, std::ostream& out,
                   std::ostream& err) {
  KeysArgs a;
  Status s = ParseKeysArgs(args, &a);
  if (!s.ok()) {
    err << "sendguard keys: " << s.message() << "\n" << kUsage;
    return kExitUsage;
  }
  if (a.sub != "check" && a.sub != "status" && a.sub != "rotate" && a.sub != "retire") {
    err << "sendguard keys: unknown command '" << a.sub << "'\n" << kUsage;
    return kExitUsage;
  }
  Result<Loaded> l = LoadKeys(config_path);
  if (!l.ok()) {
    err << "sendguard keys: " << l.status().message() << "\n";
    return kExitConfig;
  }
  if (a.sub == "check") return Check(*l, a, out, err);
  if (a.sub == "status") return ShowStatus(*l, a, out, err);
  if (a.sub == "rotate") return Rotate(*l, a, out, err);
  return Retire(*l, a, out, err);
}

}  // namespace sendguard

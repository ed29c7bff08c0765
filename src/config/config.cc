// config/config.cc — TOML (toml11) to Config. The only file that includes
// toml11. Every key is declared once in kKeys with its documentation, in the
// spirit of Postfix's parameter tables; unknown keys are errors.
#include "config/config.h"

#include <functional>
#include <sstream>
#include <toml.hpp>

namespace sendguard {

namespace {

struct KeySpec;
using Setter = std::function<Status(const toml::value&, const KeySpec&, Config*)>;

struct KeySpec {
  const char* section;
  const char* key;
  const char* default_text;  // as it would be written in the file
  const char* doc;
  Setter set;
};

std::string Where(const toml::value& v) {
  toml::source_location loc = v.location();
  return loc.file_name() + ":" + std::to_string(loc.line());
}

Status Bad(const toml::value& v, const KeySpec& spec, const std::string& why) {
  return Status::InvalidArgument(Where(v) + ": " + spec.section + "." + spec.key + ": " + why);
}

std::string ResolvePath(const Config& c, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return c.dir + "/" + p;
}

// Typed readers: each returns false if the TOML value has the wrong type.
bool ReadString(const toml::value& v, std::string* out) {
  if (!v.is_string()) return false;
  *out = v.as_string().str;
  return true;
}

bool ReadStringList(const toml::value& v, std::vector<std::string>* out) {
  out->clear();
  if (v.is_string()) {
    out->push_back(v.as_string().str);
    return true;
  }
  if (!v.is_array()) return false;
  for (const toml::value& e : v.as_array()) {
    if (!e.is_string()) return false;
    out->push_back(e.as_string().str);
  }
  return true;
}

// Resolves the path part of "unix:relative/path" against the config dir.
std::string ResolveSocket(const Config& c, const std::string& spec) {
  for (const char* prefix : {"unix:", "local:"}) {
    size_t n = strlen(prefix);
    if (spec.compare(0, n, prefix) == 0) return "unix:" + ResolvePath(c, spec.substr(n));
  }
  return spec;
}

bool ValidSocketSpec(const std::string& s) {
  if (s.compare(0, 5, "unix:") == 0) return s.size() > 5;
  if (s.compare(0, 5, "inet:") == 0 || s.compare(0, 6, "inet6:") == 0) {
    return s.find_first_of("0123456789") != std::string::npos;
  }
  return false;
}

Status SetListen(const toml::value& v, const KeySpec& k, Config* c) {
  std::vector<std::string> specs;
  if (!ReadStringList(v, &specs) || specs.empty()) return Bad(v, k, "expected a socket or a list of sockets");
  for (std::string& s : specs) {
    s = ResolveSocket(*c, s);
    if (!ValidSocketSpec(s)) return Bad(v, k, "'" + s + "' is not 'unix:/path' or 'inet:PORT@HOST'");
  }
  c->daemon.listen = specs;
  return Status::Ok();
}

Status SetSocketMode(const toml::value& v, const KeySpec& k, Config* c) {
  std::string s;
  if (!ReadString(v, &s) || s.empty() || s.size() > 4 ||
      s.find_first_not_of("01234567") != std::string::npos) {
    return Bad(v, k, "expected an octal mode string like \"0660\"");
  }
  c->daemon.socket_mode = static_cast<mode_t>(std::stoul(s, nullptr, 8));
  return Status::Ok();
}

Status SetFailureAction(const toml::value& v, const KeySpec& k, Config* c) {
  std::string s;
  if (!ReadString(v, &s)) return Bad(v, k, "expected \"tempfail\", \"reject\" or \"accept\"");
  if (s == "tempfail") c->daemon.failure_action = FailureAction::kTempfail;
  else if (s == "reject") c->daemon.failure_action = FailureAction::kReject;
  else if (s == "accept") c->daemon.failure_action = FailureAction::kAccept;
  else return Bad(v, k, "unknown action '" + s + "' (tempfail, reject, accept)");
  return Status::Ok();
}

Status SetQuotaStore(const toml::value& v, const KeySpec& k, Config* c) {
  std::string s;
  if (!ReadString(v, &s) || (s != "lmdb" && s != "redis")) return Bad(v, k, "expected \"lmdb\" or \"redis\"");
  c->quota_store = s;
  return Status::Ok();
}

Status SetLogTarget(const toml::value& v, const KeySpec& k, Config* c) {
  std::string s;
  if (!ReadString(v, &s) || (s != "syslog" && s != "stderr")) {
    return Bad(v, k, "expected \"syslog\" or \"stderr\"");
  }
  c->log.to_syslog = s == "syslog";
  return Status::Ok();
}

Status SetLogLevel(const toml::value& v, const KeySpec& k, Config* c) {
  std::string s;
  if (!ReadString(v, &s) || !ParseLogLevel(s, &c->log.level)) {
    return Bad(v, k, "expected \"debug\", \"info\", \"warning\" or \"error\"");
  }
  return Status::Ok();
}

Status SetTrustedNetworks(const toml::value& v, const KeySpec& k, Config* c) {
  std::vector<std::string> nets;
  if (!ReadStringList(v, &nets)) return Bad(v, k, "expected a list of networks like \"192.0.2.0/24\"");
  c->identity.trusted_networks.clear();
  for (const std::string& n : nets) {
    Result<IpPrefix> p = IpPrefix::Parse(n);
    if (!p.ok()) return Bad(v, k, p.status().message());
    c->identity.trusted_networks.push_back(*p);
  }
  return Status::Ok();
}

// Setters for plain fields, reached through an accessor so one helper
// serves every section: FIELD(daemon.user) -> &config->daemon.user.
#define FIELD(member) [](Config* c) { return &c->member; }

template <typename Access>
Setter Str(Access field, bool is_path) {
  return [field, is_path](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::string s;
    if (!ReadString(v, &s)) return Bad(v, k, "expected a string");
    *field(c) = is_path ? ResolvePath(*c, s) : s;
    return Status::Ok();
  };
}

template <typename Access>
Setter Int(Access field, int64_t lo, int64_t hi) {
  return [field, lo, hi](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    if (!v.is_integer() || v.as_integer() < lo || v.as_integer() > hi) {
      return Bad(v, k, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    *field(c) = static_cast<std::remove_reference_t<decltype(*field(c))>>(v.as_integer());
    return Status::Ok();
  };
}

template <typename Access>
Setter Bool(Access field) {
  return [field](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    if (!v.is_boolean()) return Bad(v, k, "expected true or false");
    *field(c) = v.as_boolean();
    return Status::Ok();
  };
}

const std::vector<KeySpec>& Keys() {
  static const std::vector<KeySpec> keys = {
      {"daemon", "listen", "[\"unix:/run/sendguard/sendguard.sock\"]",
       "milter sockets, libmilter spelling; several = one worker process each", SetListen},
      {"daemon", "socket_mode", "\"0660\"", "permissions of unix sockets", SetSocketMode},
      {"daemon", "socket_group", "\"\"",
       "group owning unix sockets, e.g. \"postfix\" (\"\" = the run user's group)",
       Str(FIELD(daemon.socket_group), false)},
      {"daemon", "user", "\"\"", "user to run as after opening sockets and reading keys (\"\" = stay)",
       Str(FIELD(daemon.user), false)},
      {"daemon", "state_dir", "\"/var/lib/sendguard\"", "quota store and pid file",
       Str(FIELD(daemon.state_dir), true)},
      {"daemon", "pid_file", "\"\"", "\"\" = <state_dir>/sendguard.pid",
       Str(FIELD(daemon.pid_file), true)},
      {"daemon", "failure_action", "\"tempfail\"",
       "reply when sendguard itself fails: tempfail (451 4.3.0), reject (550 5.3.0) or accept", SetFailureAction},
      {"daemon", "drain_timeout", "10", "seconds to wait for open connections when stopping",
       Int(FIELD(daemon.drain_timeout_s), 0, 3600)},
      {"daemon", "milter_timeout", "300", "seconds libmilter waits for the MTA",
       Int(FIELD(daemon.milter_timeout_s), 1, 86400)},
      {"daemon", "backlog", "128", "listen(2) backlog", Int(FIELD(daemon.backlog), 1, 65535)},
      {"log", "target", "\"syslog\"", "syslog (facility mail) or stderr", SetLogTarget},
      {"log", "level", "\"info\"", "debug, info, warning or error", SetLogLevel},
      {"identity", "trusted_networks", "[\"127.0.0.0/8\", \"::1/128\"]",
       "unauthenticated clients here are identified (and counted) by address", SetTrustedNetworks},
      {"quota", "policy_file", "\"\"",
       "quota classes and user map (policies/quota.conf); \"\" = no quotas",
       Str(FIELD(quota.policy_file), true)},
      {"quota", "store", "\"lmdb\"", "lmdb (embedded, one relay) or redis (shared, see [redis])",
       SetQuotaStore},
      {"quota", "state_dir", "\"\"", "embedded store directory; \"\" = <daemon.state_dir>/quota",
       Str(FIELD(quota.state_dir), true)},
      {"quota", "ipv4_prefix", "32", "trusted-network senders counted per address or per prefix",
       Int(FIELD(quota.ipv4_prefix), 8, 32)},
      {"quota", "ipv6_prefix", "64", "the same for IPv6", Int(FIELD(quota.ipv6_prefix), 16, 128)},
      {"quota", "fail_open", "false", "store unreachable: false = tempfail (451 4.3.0), true = accept",
       Bool(FIELD(quota.fail_open))},
      {"quota", "reservation_ttl", "1800",
       "seconds a reservation counts if never settled (daemon killed mid-message)",
       Int(FIELD(quota.reservation_ttl_seconds), 60, 86400)},
      {"quota", "map_size_mb", "256", "ceiling of the embedded store file", Int(FIELD(quota.map_size_mb), 1, 1 << 20)},
      {"quota", "sync_writes", "false", "fsync every store write (survives power loss, slower)",
       Bool(FIELD(quota.sync_writes))},
      {"identity", "fold_case", "true", "lower-case SASL logins before counting", Bool(FIELD(identity.fold_case))},
  };
  return keys;
}

const KeySpec* FindKey(const std::string& section, const std::string& key) {
  for (const KeySpec& k : Keys()) {
    if (section == k.section && key == k.key) return &k;
  }
  return nullptr;
}

bool KnownSection(const std::string& section) {
  for (const KeySpec& k : Keys()) {
    if (section == k.section) return true;
  }
  return false;
}

Status ApplySection(const std::string& section, const toml::value& table, Config* c) {
  for (const auto& [key, value] : table.as_table()) {
    const KeySpec* spec = FindKey(section, key);
    if (spec == nullptr) {
      return Status::InvalidArgument(Where(value) + ": unknown key '" + key + "' in [" + section + "]");
    }
    Status s = spec->set(value, *spec, c);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ApplyDocument(const toml::value& root, Config* c) {
  for (const auto& [section, value] : root.as_table()) {
    if (!KnownSection(section) || !value.is_table()) {
      return Status::InvalidArgument(Where(value) + ": unknown section '" + section + "'");
    }
    Status s = ApplySection(section, value, c);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// Settings whose default depends on other settings.
void FillDerivedDefaults(Config* c) {
  if (c->quota.state_dir.empty()) c->quota.state_dir = c->daemon.state_dir + "/quota";
  c->quota.case_fold = c->identity.fold_case;
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string SyntaxErrorText(const std::string& path, const toml::exception& e) {
  // toml11's what() is a multi-line diagnostic; keep its first line, prefixed
  // with file:line so every config error reads the same way.
  std::string what = e.what();
  std::string first = what.substr(0, what.find('\n'));
  const std::string tag = "[error] ";
  if (first.compare(0, tag.size(), tag) == 0) first = first.substr(tag.size());
  return path + ":" + std::to_string(e.location().line()) + ": " + first;
}

}  // namespace

std::string Config::PidFile() const {
  return daemon.pid_file.empty() ? daemon.state_dir + "/sendguard.pid" : daemon.pid_file;
}

Result<Config> LoadConfig(const std::string& path) {
  Config c;
  c.path = path;
  c.dir = DirName(path);
  c.identity.trusted_networks = {*IpPrefix::Parse("127.0.0.0/8"), *IpPrefix::Parse("::1/128")};
  try {
    toml::value root = toml::parse(path);
    Status s = ApplyDocument(root, &c);
    if (!s.ok()) return s;
    FillDerivedDefaults(&c);
  } catch (const toml::syntax_error& e) {
    return Status::InvalidArgument(SyntaxErrorText(path, e));
  } catch (const std::runtime_error& e) {  // toml11: file cannot be opened
    return Status::IoError(path + ": " + e.what());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  return c;
}

std::string ConfigReference() {
  std::ostringstream out;
  std::string section;
  for (const KeySpec& k : Keys()) {
    if (section != k.section) {
      section = k.section;
      out << "\n[" << section << "]\n";
    }
    out << k.key << " = " << k.default_text << "    # " << k.doc << "\n";
  }
  return out.str();
}

}  // namespace sendguard

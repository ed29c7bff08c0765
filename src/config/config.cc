// config/config.cc — TOML (toml11) to Config. The only file that includes
// toml11. Every key is declared once in kKeys with its documentation, in the
// spirit of Postfix's parameter tables; unknown keys are errors.
#include "config/config.h"

#include <limits.h>
#include <stdlib.h>

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
  c->redis.backend = s;
  return Status::Ok();
}

Status SetStringList(const toml::value& v, const KeySpec& k, std::vector<std::string>* out,
                     const Config& c, bool paths) {
  if (!ReadStringList(v, out)) return Bad(v, k, "expected a string or a list of strings");
  if (paths) {
    for (std::string& p : *out) p = ResolvePath(c, p);
  }
  return Status::Ok();
}

template <typename Access>
Setter StrList(Access field, bool paths) {
  return [field, paths](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    return SetStringList(v, k, field(c), *c, paths);
  };
}

template <typename Access>
Setter Size(Access field, int64_t lo, int64_t hi) {
  return [field, lo, hi](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    if (!v.is_integer() || v.as_integer() < lo || v.as_integer() > hi) {
      return Bad(v, k, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    *field(c) = static_cast<size_t>(v.as_integer());
    return Status::Ok();
  };
}

Status SetCanon(const toml::value& v, const KeySpec& k, Config* c) {
  std::string s;
  if (!ReadString(v, &s)) return Bad(v, k, "expected a string like \"relaxed/relaxed\"");
  Result<dkim::CanonPair> canon = dkim::ParseCanonicalization(s);
  if (!canon.ok()) return Bad(v, k, canon.status().message());
  c->dkim.canon = *canon;
  return Status::Ok();
}

template <typename Access>
Setter SenderActionField(Access field) {
  return [field](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::string s;
    if (!ReadString(v, &s)) return Bad(v, k, "expected \"reject\", \"unsigned\" or \"tempfail\"");
    Result<sender::SenderAction> a = sender::ParseSenderAction(s);
    if (!a.ok()) return Bad(v, k, a.status().message());
    *field(c) = *a;
    return Status::Ok();
  };
}

template <typename Access>
Setter SpfActionField(Access field) {
  return [field](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::string s;
    if (!ReadString(v, &s) || !spf::ParseAction(s, field(c))) {
      return Bad(v, k, "expected \"none\", \"tag\", \"tempfail\" or \"reject\"");
    }
    return Status::Ok();
  };
}

Status SetOutage(const toml::value& v, const KeySpec& k, Config* c) {
  std::string s;
  if (!ReadString(v, &s)) return Bad(v, k, "expected \"fail-closed\", \"fail-open\" or \"fallback\"");
  Status st = redisquota::ParseOutagePolicy(s, &c->redis.resilience.policy);
  return st.ok() ? st : Bad(v, k, st.message());
}

Status SetRedisTime(const toml::value& v, const KeySpec& k, Config* c) {
  std::string s;
  if (!ReadString(v, &s) || (s != "redis" && s != "caller")) return Bad(v, k, "expected \"redis\" or \"caller\"");
  c->redis.redis.use_redis_time = s == "redis";
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
      {"quota", "redis_host", "\"127.0.0.1\"", "Redis TCP host (store = \"redis\")", Str(FIELD(redis.redis.host), false)},
      {"quota", "redis_port", "6379", "Redis TCP port", Int(FIELD(redis.redis.port), 1, 65535)},
      {"quota", "redis_socket", "\"\"", "Redis unix socket; \"\" = TCP", Str(FIELD(redis.redis.unix_socket), true)},
      {"quota", "redis_database", "0", "Redis database number", Int(FIELD(redis.redis.database), 0, 1024)},
      {"quota", "redis_key_prefix", "\"sg:\"", "prefix of every key", Str(FIELD(redis.redis.key_prefix), false)},
      {"quota", "redis_username", "\"\"", "ACL user (with redis_password)", Str(FIELD(redis.redis.username), false)},
      {"quota", "redis_password", "\"\"", "AUTH password; \"\" = no AUTH", Str(FIELD(redis.redis.password), false)},
      {"quota", "redis_connect_timeout_ms", "200", "connect + AUTH bound",
       Int(FIELD(redis.redis.connect_timeout_ms), 1, 60000)},
      {"quota", "redis_command_timeout_ms", "100", "the longest a milter thread waits for Redis",
       Int(FIELD(redis.redis.command_timeout_ms), 1, 60000)},
      {"quota", "redis_pool_size", "4", "connections shared by milter threads", Int(FIELD(redis.redis.pool_size), 1, 256)},
      {"quota", "redis_backoff_min_ms", "100", "fail fast this long after a failure (doubling)",
       Int(FIELD(redis.redis.backoff_min_ms), 1, 600000)},
      {"quota", "redis_backoff_max_ms", "5000", "longest fail-fast period", Int(FIELD(redis.redis.backoff_max_ms), 1, 600000)},
      {"quota", "redis_time", "\"redis\"", "clock of the windows: redis (TIME) or caller", SetRedisTime},
      {"quota", "redis_outage", "\"fail-closed\"",
       "Redis unreachable: fail-closed (451 4.3.0), fail-open, or fallback (embedded store)", SetOutage},
      {"quota", "redis_fallback_nodes", "1", "fallback limits = limit / this (number of relays)",
       Int(FIELD(redis.resilience.node_count), 1, 1000)},
      {"rules", "paths", "[]", "rule files or directories (*.cf, lexical order); [] = no content scan",
       StrList(FIELD(rule_paths), true)},
      {"rules", "strict", "true", "a rule that cannot be honoured is an error (false: warn, skip it)",
       Bool(FIELD(rule_load.strict))},
      {"rules", "actions_file", "\"\"", "score thresholds per quota class; \"\" = tag 5, quarantine 8, reject 12",
       Str(FIELD(actions_file), true)},
      {"rules", "max_scan_bytes", "1048576", "bytes of a message scanned (the rest is delivered unscanned)",
       Size(FIELD(scan_limits.max_scan_bytes), 1024, 1LL << 30)},
      {"rules", "max_parts", "1000", "MIME parts scanned", Size(FIELD(scan_limits.max_parts), 1, 1000000)},
      {"rules", "max_depth", "20", "MIME nesting scanned", Size(FIELD(scan_limits.max_depth), 1, 100)},
      {"rules", "max_header_bytes", "16384", "bytes kept of each header value",
       Size(FIELD(scan_limits.max_header_bytes), 256, 1 << 24)},
      {"rules", "max_uris", "1000", "URLs collected per message", Size(FIELD(scan_limits.max_uris), 1, 1000000)},
      {"dkim", "key_table", "\"\"", "NAME domain:selector:keyfile per line; \"\" = no signing",
       Str(FIELD(dkim.key_table_path), true)},
      {"dkim", "signing_table", "\"\"", "From-domain pattern -> key name(s)", Str(FIELD(dkim.signing_table_path), true)},
      {"dkim", "canonicalization", "\"relaxed/relaxed\"", "header/body canonicalization (c=)", SetCanon},
      {"dkim", "sign_headers", "RFC 6376 list", "header fields signed when present", StrList(FIELD(dkim.sign_headers), false)},
      {"dkim", "oversign_headers", "From To Cc Subject Date Reply-To Message-ID List-*",
       "fields signed once more than present", StrList(FIELD(dkim.oversign_headers), false)},
      {"dkim", "expiry_seconds", "0", "x= = t= + this; 0 = no x=", Int(FIELD(dkim.expiry_seconds), 0, 1LL << 31)},
      {"dkim", "allow_group_readable_keys", "false", "accept keys readable by their group (never by others)",
       Bool(FIELD(dkim.allow_group_readable_keys))},
      {"dkim", "rsa_with_libopendkim", "false", "make RSA signatures through libopendkim (slower)",
       Bool(FIELD(dkim.rsa_with_libopendkim))},
      {"senders", "enabled", "true", "check that the sender may use its From and envelope addresses",
       Bool(FIELD(senders_enabled))},
      {"senders", "policy", "\"\"", "login -> allowed addresses; \"\" = only the same-domain rule",
       Str(FIELD(senders.policy_path), true)},
      {"senders", "mismatch_action", "\"reject\"", "From not allowed: reject (550 5.7.1), unsigned, tempfail",
       SenderActionField(FIELD(senders.mismatch_action))},
      {"senders", "bad_from_action", "\"reject\"", "no From or several From", SenderActionField(FIELD(senders.bad_from_action))},
      {"senders", "default_same_domain", "true", "a login user@domain may use any address @domain",
       Bool(FIELD(senders.default_same_domain))},
      {"senders", "allow_unmatched_unauthenticated", "true",
       "trusted-network senders no policy line names may use any address",
       Bool(FIELD(senders.allow_unmatched_unauthenticated))},
      {"senders", "check_envelope_from", "true", "check MAIL FROM too", Bool(FIELD(senders.check_envelope_from))},
      {"spf", "enabled", "false", "SPF / DMARC pre-flight checks", Bool(FIELD(spf_enabled))},
      {"spf", "egress_ips", "[]", "the relay's outbound addresses as receivers see them", StrList(FIELD(spf.egress_ips), false)},
      {"spf", "dns_data_file", "\"\"", "static DNS data instead of the resolver (tests, air-gapped)",
       Str(FIELD(spf.dns_data_file), true)},
      {"spf", "timeout_ms", "2000", "deadline of one check", Int(FIELD(spf.timeout_ms), 10, 60000)},
      {"spf", "helpers", "2", "unprivileged SPF helper processes", Int(FIELD(spf.helpers), 1, 64)},
      {"spf", "cache_bits", "10", "DNS cache of 2^n entries per helper", Int(FIELD(spf.cache_bits), 1, 20)},
      {"spf", "resolver_timeout", "2", "seconds per DNS query", Int(FIELD(spf.resolver_timeout_s), 1, 30)},
      {"spf", "public_suffix_file", "\"/usr/share/publicsuffix/public_suffix_list.dat\"",
       "for organisational domains", Str(FIELD(spf.public_suffix_file), true)},
      {"spf", "egress_fail_action", "\"tag\"", "relay not authorised by the sender domain's SPF",
       SpfActionField(FIELD(spf.egress_fail_action))},
      {"spf", "dmarc_action", "\"tag\"", "p=quarantine/reject domain and the mail will not align",
       SpfActionField(FIELD(spf.dmarc_action))},
      {"spf", "spoof_action", "\"tag\"", "trusted-network client fails the sender domain's SPF",
       SpfActionField(FIELD(spf.spoof_action))},
      {"spf", "temperror_action", "\"none\"", "a check could not finish (DNS timeout, helper crash)",
       SpfActionField(FIELD(spf.temperror_action))},
      {"spf", "include_hint", "\"\"", "what customers should publish, e.g. include:_spf.relay.example",
       Str(FIELD(spf.include_hint), false)},
      {"spf", "authserv_id", "\"sendguard\"", "first token of the Authentication-Results header",
       Str(FIELD(spf.authserv_id), false)},
      {"spf", "helper_user", "\"nobody\"", "user the SPF helpers run as", Str(FIELD(spf.helper_user), false)},
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
  if (c->spf.helper_command.empty()) c->spf.helper_command = {"/proc/self/exe", "spf-helper"};
}

// The directory of `path`, made absolute: relative paths in the file are
// resolved against it, and sockets/pid files must not depend on the cwd.
std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  char resolved[PATH_MAX];
  return realpath(dir.c_str(), resolved) ? std::string(resolved) : dir;
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

// config/config.cc — TOML (toml11) to Config and back. The only file that
// includes toml11. Every key is declared once in Keys() with its
// documentation and the field it sets, in the spirit of Postfix's parameter
// tables; unknown keys are errors. Defaults are the Config's initialisers:
// the reference (`sendguard help config`) is a default Config written out.
#include "config/config.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <type_traits>
#include <sstream>
#include <toml.hpp>

#include "core/strings.h"

namespace sendguard {

namespace {

struct KeySpec;
// Reads one TOML value into the Config, or names file:line and why not.
using Setter = std::function<Status(const toml::value&, const KeySpec&, Config*)>;
// Writes the Config's current value back as TOML text (what the file would say).
using Getter = std::function<std::string(const Config&)>;

// How one key is read and written: the two directions of one field.
struct Field {
  Setter set;
  Getter get;
};

struct KeySpec {
  const char* section;
  const char* key;
  const char* doc;
  Field field;
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

std::string TomlStrings(const std::vector<std::string>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + Quoted(list[i]);
  return out + "]";
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

// Field accessors: FIELD(daemon.user) works on Config* and const Config*.
#define FIELD(member) [](auto* c) { return &c->member; }

template <typename Access>
Getter StringOf(Access field) {
  return [field](const Config& c) { return Quoted(*field(&c)); };
}

template <typename Access>
Getter StringsOf(Access field) {
  return [field](const Config& c) { return TomlStrings(*field(&c)); };
}

template <typename Access>
Field Str(Access field, bool is_path) {
  Setter set = [field, is_path](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::string s;
    if (!ReadString(v, &s)) return Bad(v, k, "expected a string");
    *field(c) = is_path ? ResolvePath(*c, s) : s;
    return Status::Ok();
  };
  return {set, StringOf(field)};
}

template <typename Access>
Field StrList(Access field, bool paths) {
  Setter set = [field, paths](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::vector<std::string>* out = field(c);
    if (!ReadStringList(v, out)) return Bad(v, k, "expected a string or a list of strings");
    if (paths) {
      for (std::string& p : *out) p = ResolvePath(*c, p);
    }
    return Status::Ok();
  };
  return {set, StringsOf(field)};
}

// A list of "host:port" endpoints, each checked where it is written.
template <typename Access>
Field EndpointList(Access field) {
  Setter set = [field](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::vector<std::string>* out = field(c);
    if (!ReadStringList(v, out)) return Bad(v, k, "expected a list of \"host:port\" strings");
    for (const std::string& e : *out) {
      Result<redisquota::HostPort> parsed = redisquota::ParseHostPort(e);
      if (!parsed.ok()) return Bad(v, k, parsed.status().message());
    }
    return Status::Ok();
  };
  return {set, StringsOf(field)};
}

// Integers of any width (int, int64_t, size_t fields), bounded.
template <typename Access>
Field Int(Access field, int64_t lo, int64_t hi) {
  Setter set = [field, lo, hi](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    if (!v.is_integer() || v.as_integer() < lo || v.as_integer() > hi) {
      return Bad(v, k, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    *field(c) = static_cast<std::remove_reference_t<decltype(*field(c))>>(v.as_integer());
    return Status::Ok();
  };
  Getter get = [field](const Config& c) { return std::to_string(*field(&c)); };
  return {set, get};
}

template <typename Access>
Field Bool(Access field) {
  Setter set = [field](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    if (!v.is_boolean()) return Bad(v, k, "expected true or false");
    *field(c) = v.as_boolean();
    return Status::Ok();
  };
  Getter get = [field](const Config& c) { return std::string(*field(&c) ? "true" : "false"); };
  return {set, get};
}

// A string value with a fixed vocabulary: `parse` turns the text into the
// field (or says why not), `name` turns the field back into the text.
template <typename T>
using ParseFn = std::function<Status(const std::string&, T*)>;
template <typename T>
using NameFn = std::function<std::string(const T&)>;

template <typename Access, typename T = std::remove_pointer_t<std::invoke_result_t<Access, Config*>>>
Field Choice(Access field, ParseFn<T> parse, NameFn<T> name, const char* expected) {
  Setter set = [field, parse, expected](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::string s;
    if (!ReadString(v, &s)) return Bad(v, k, std::string("expected ") + expected);
    Status st = parse(s, field(c));
    return st.ok() ? st : Bad(v, k, st.message());
  };
  Getter get = [field, name](const Config& c) { return Quoted(name(*field(&c))); };
  return {set, get};
}

// Parse functions from a "does it know this word" predicate.
template <typename T>
ParseFn<T> Known(std::function<bool(const std::string&, T*)> parse, const char* expected) {
  return [parse, expected](const std::string& s, T* out) {
    return parse(s, out) ? Status::Ok()
                         : Status::InvalidArgument("unknown value '" + s + "' (expected " + expected + ")");
  };
}

Status ParseFailureAction(const std::string& s, FailureAction* out) {
  if (s == "tempfail") *out = FailureAction::kTempfail;
  else if (s == "reject") *out = FailureAction::kReject;
  else if (s == "accept") *out = FailureAction::kAccept;
  else return Status::InvalidArgument("unknown action '" + s + "' (tempfail, reject, accept)");
  return Status::Ok();
}

std::string FailureActionName(const FailureAction& a) {
  return a == FailureAction::kReject ? "reject" : a == FailureAction::kAccept ? "accept" : "tempfail";
}

Field SocketList() {
  Setter set = [](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::vector<std::string> specs;
    if (!ReadStringList(v, &specs) || specs.empty()) return Bad(v, k, "expected a socket or a list of sockets");
    for (std::string& s : specs) {
      s = ResolveSocket(*c, s);
      if (!ValidSocketSpec(s)) return Bad(v, k, "'" + s + "' is not 'unix:/path' or 'inet:PORT@HOST'");
    }
    c->daemon.listen = specs;
    return Status::Ok();
  };
  return {set, StringsOf(FIELD(daemon.listen))};
}

// Postfix's spelling of a policy socket: "inet:HOST:PORT", "inet:[V6]:PORT", "unix:/path".
bool ValidPolicySocketSpec(const std::string& s) {
  if (s.compare(0, 5, "unix:") == 0) return s.size() > 5;
  if (s.compare(0, 5, "inet:") != 0) return false;
  size_t colon = s.rfind(':');
  std::string port = s.substr(colon + 1);
  return colon > 5 && !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
}

Field PolicySocketList() {
  Setter set = [](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::vector<std::string> specs;
    if (!ReadStringList(v, &specs)) return Bad(v, k, "expected a socket or a list of sockets");
    for (std::string& s : specs) {
      s = ResolveSocket(*c, s);
      if (!ValidPolicySocketSpec(s)) {
        return Bad(v, k, "'" + s + "' is not 'inet:HOST:PORT' or 'unix:/path' (Postfix's spelling)");
      }
    }
    c->policy.listen = specs;
    return Status::Ok();
  };
  return {set, StringsOf(FIELD(policy.listen))};
}

Field SocketMode() {
  Setter set = [](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::string s;
    if (!ReadString(v, &s) || s.empty() || s.size() > 4 ||
        s.find_first_not_of("01234567") != std::string::npos) {
      return Bad(v, k, "expected an octal mode string like \"0660\"");
    }
    c->daemon.socket_mode = static_cast<mode_t>(std::stoul(s, nullptr, 8));
    return Status::Ok();
  };
  Getter get = [](const Config& c) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(c.daemon.socket_mode & 07777));
    return Quoted(mode);
  };
  return {set, get};
}

Field TrustedNetworks() {
  Setter set = [](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::vector<std::string> nets;
    if (!ReadStringList(v, &nets)) return Bad(v, k, "expected a list of networks like \"192.0.2.0/24\"");
    c->identity.trusted_networks.clear();
    for (const std::string& n : nets) {
      Result<IpPrefix> p = IpPrefix::Parse(n);
      if (!p.ok()) return Bad(v, k, p.status().message());
      c->identity.trusted_networks.push_back(*p);
    }
    return Status::Ok();
  };
  Getter get = [](const Config& c) {
    std::vector<std::string> nets;
    for (const IpPrefix& p : c.identity.trusted_networks) nets.push_back(p.ToString());
    return TomlStrings(nets);
  };
  return {set, get};
}

// Words in a two-valued bool field: `yes` means true.
Field BoolWord(bool* (*field)(Config*), const bool* (*cfield)(const Config*), const char* yes,
               const char* no) {
  std::string expected = std::string("\"") + yes + "\" or \"" + no + "\"";
  Setter set = [field, yes, no, expected](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::string s;
    if (!ReadString(v, &s) || (s != yes && s != no)) return Bad(v, k, "expected " + expected);
    *field(c) = s == yes;
    return Status::Ok();
  };
  Getter get = [cfield, yes, no](const Config& c) { return Quoted(*cfield(&c) ? yes : no); };
  return {set, get};
}
#define BOOL_WORD(member, yes, no) \
  BoolWord([](Config* c) { return &c->member; }, [](const Config* c) { return &c->member; }, yes, no)

Field QuotaStore() {
  ParseFn<std::string> parse = [](const std::string& s, std::string* out) {
    if (s != "lmdb" && s != "redis") return Status::InvalidArgument("expected \"lmdb\" or \"redis\"");
    *out = s;
    return Status::Ok();
  };
  return Choice(FIELD(redis.backend), parse, NameFn<std::string>([](const std::string& s) { return s; }),
                "\"lmdb\" or \"redis\"");
}

Field LogLevelField() {
  return Choice(FIELD(log.level), Known<LogLevel>(ParseLogLevel, "debug, info, warning or error"),
                NameFn<LogLevel>([](const LogLevel& l) { return LogLevelName(l); }),
                "\"debug\", \"info\", \"warning\" or \"error\"");
}

Field Canonicalization() {
  ParseFn<dkim::CanonPair> parse = [](const std::string& s, dkim::CanonPair* out) {
    Result<dkim::CanonPair> canon = dkim::ParseCanonicalization(s);
    if (!canon.ok()) return canon.status();
    *out = *canon;
    return Status::Ok();
  };
  NameFn<dkim::CanonPair> name = [](const dkim::CanonPair& p) {
    return dkim::CanonName(p.header) + "/" + dkim::CanonName(p.body);
  };
  return Choice(FIELD(dkim.canon), parse, name, "a string like \"relaxed/relaxed\"");
}

template <typename Access>
Field SenderActionField(Access field) {
  ParseFn<sender::SenderAction> parse = [](const std::string& s, sender::SenderAction* out) {
    Result<sender::SenderAction> a = sender::ParseSenderAction(s);
    if (!a.ok()) return a.status();
    *out = *a;
    return Status::Ok();
  };
  NameFn<sender::SenderAction> name = [](const sender::SenderAction& a) {
    return sender::SenderActionConfigName(a);
  };
  return Choice(field, parse, name, "\"reject\", \"unsigned\" or \"tempfail\"");
}

template <typename Access>
Field SpfActionField(Access field) {
  return Choice(field, Known<spf::Action>(spf::ParseAction, "none, tag, tempfail or reject"),
                NameFn<spf::Action>([](const spf::Action& a) { return spf::ActionName(a); }),
                "\"none\", \"tag\", \"tempfail\" or \"reject\"");
}

Field Outage() {
  ParseFn<redisquota::OutagePolicy> parse = redisquota::ParseOutagePolicy;
  NameFn<redisquota::OutagePolicy> name = [](const redisquota::OutagePolicy& p) {
    return redisquota::OutagePolicyName(p);
  };
  return Choice(FIELD(redis.resilience.policy), parse, name,
                "\"fail-closed\", \"fail-open\" or \"fallback\"");
}

// "127.0.0.1:9466", "[::1]:9466" or "9466" (loopback).
Result<std::string> ParseHttpListen(const std::string& s) {
  if (s.empty()) return std::string();
  std::string host = "127.0.0.1", port = s;
  size_t colon = s.rfind(':');
  if (colon != std::string::npos) {
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) < 1 || std::stoi(port) > 65535) {
    return Status::InvalidArgument("'" + s + "' is not HOST:PORT or PORT");
  }
  Result<IpPrefix> ip = IpPrefix::Parse(host);
  if (!ip.ok() || host.find('/') != std::string::npos) {
    return Status::InvalidArgument("'" + host + "' is not an IP address");
  }
  return (host.find(':') != std::string::npos ? "inet6:" : "inet:") + port + "@" + host;
}

Field HttpListen() {
  Setter set = [](const toml::value& v, const KeySpec& k, Config* c) -> Status {
    std::string s;
    if (!ReadString(v, &s)) return Bad(v, k, "expected a string like \"127.0.0.1:9466\"");
    Result<std::string> spec = ParseHttpListen(s);
    if (!spec.ok()) return Bad(v, k, spec.status().message());
    c->http.listen = s;
    return Status::Ok();
  };
  return {set, StringOf(FIELD(http.listen))};
}

// Every key of the file, its documentation and how it maps to the Config:
// the one place a key is named. Defaults are the Config's initialisers.
const std::vector<KeySpec>& Keys() {
  static const std::vector<KeySpec> keys = {
      {"daemon", "listen", "milter sockets, libmilter spelling, opened by the parent", SocketList()},
      {"daemon", "workers", "worker processes sharing each socket (0 = one per core)",
       Int(FIELD(daemon.workers), 0, 256)},
      {"daemon", "socket_mode", "permissions of unix sockets", SocketMode()},
      {"daemon", "socket_group", "group owning unix sockets, e.g. \"postfix\" (\"\" = the run user's group)",
       Str(FIELD(daemon.socket_group), false)},
      {"daemon", "user", "user the workers run as; the parent keeps root for sockets, keys and reloads (\"\" = the parent's)",
       Str(FIELD(daemon.user), false)},
      {"daemon", "state_dir", "quota store and pid file", Str(FIELD(daemon.state_dir), true)},
      {"daemon", "pid_file", "\"\" = <state_dir>/sendguard.pid", Str(FIELD(daemon.pid_file), true)},
      {"daemon", "control_socket", "where `sendguard reload` and `status` reach the parent (\"\" = <state_dir>/sendguard.ctl)",
       Str(FIELD(daemon.control_socket), true)},
      {"daemon", "failure_action",
       "reply when sendguard itself fails: tempfail (451 4.3.0), reject (550 5.3.0) or accept",
       Choice(FIELD(daemon.failure_action), ParseFn<FailureAction>(ParseFailureAction),
              NameFn<FailureAction>(FailureActionName), "\"tempfail\", \"reject\" or \"accept\"")},
      {"daemon", "drain_timeout", "seconds a stopping or retiring worker waits for its open connections",
       Int(FIELD(daemon.drain_timeout_s), 0, 3600)},
      {"daemon", "milter_timeout", "seconds libmilter waits for the MTA",
       Int(FIELD(daemon.milter_timeout_s), 1, 86400)},
      {"daemon", "backlog", "listen(2) backlog", Int(FIELD(daemon.backlog), 1, 65535)},
      {"log", "target", "syslog (facility mail) or stderr", BOOL_WORD(log.to_syslog, "syslog", "stderr")},
      {"log", "level", "debug, info, warning or error", LogLevelField()},
      {"log", "decision_log", "JSON-lines file, one object per decision (reopened by `sendguard reopen-logs`); \"\" = none",
       Str(FIELD(log.decision_log), true)},
      {"log", "audit_log", "JSON-lines file, one object per abuse action, automatic or by hand (reopened by `sendguard reopen-logs`); \"\" = none",
       Str(FIELD(log.audit_log), true)},
      {"identity", "trusted_networks", "unauthenticated clients here are identified (and counted) by address",
       TrustedNetworks()},
      {"identity", "fold_case", "lower-case SASL logins before counting", Bool(FIELD(identity.fold_case))},
      {"quota", "policy_file", "quota classes and user map (policies/quota.conf); \"\" = no quotas",
       Str(FIELD(quota.policy_file), true)},
      {"quota", "store", "lmdb (embedded, one relay) or redis (shared: the redis_* keys below)", QuotaStore()},
      {"quota", "state_dir", "embedded store directory; \"\" = <daemon.state_dir>/quota",
       Str(FIELD(quota.state_dir), true)},
      {"quota", "ipv4_prefix", "trusted-network senders counted per address or per prefix",
       Int(FIELD(quota.ipv4_prefix), 8, 32)},
      {"quota", "ipv6_prefix", "the same for IPv6", Int(FIELD(quota.ipv6_prefix), 16, 128)},
      {"quota", "fail_open", "store unreachable: false = tempfail (451 4.3.0), true = accept",
       Bool(FIELD(quota.fail_open))},
      {"quota", "reservation_ttl", "seconds a reservation counts if never settled (daemon killed mid-message)",
       Int(FIELD(quota.reservation_ttl_seconds), 60, 86400)},
      {"quota", "map_size_mb", "ceiling of the embedded store file", Int(FIELD(quota.map_size_mb), 1, 1 << 20)},
      {"quota", "sync_writes", "fsync every store write (survives power loss, slower)",
       Bool(FIELD(quota.sync_writes))},
      {"quota", "redis_host", "Redis TCP host (store = \"redis\")", Str(FIELD(redis.redis.host), false)},
      {"quota", "redis_port", "Redis TCP port", Int(FIELD(redis.redis.port), 1, 65535)},
      {"quota", "redis_socket", "Redis unix socket; \"\" = TCP", Str(FIELD(redis.redis.unix_socket), true)},
      {"quota", "redis_database", "Redis database number", Int(FIELD(redis.redis.database), 0, 1024)},
      {"quota", "redis_key_prefix", "prefix of every key", Str(FIELD(redis.redis.key_prefix), false)},
      {"quota", "redis_username", "ACL user (with redis_password)", Str(FIELD(redis.redis.username), false)},
      {"quota", "redis_password", "AUTH password; \"\" = no AUTH", Str(FIELD(redis.redis.password), false)},
      {"quota", "redis_connect_timeout_ms", "connect + AUTH bound",
       Int(FIELD(redis.redis.connect_timeout_ms), 1, 60000)},
      {"quota", "redis_command_timeout_ms", "the longest a milter thread waits for Redis",
       Int(FIELD(redis.redis.command_timeout_ms), 1, 60000)},
      {"quota", "redis_pool_size", "connections shared by milter threads", Int(FIELD(redis.redis.pool_size), 1, 256)},
      {"quota", "redis_backoff_min_ms", "fail fast this long after a failure (doubling)",
       Int(FIELD(redis.redis.backoff_min_ms), 1, 600000)},
      {"quota", "redis_backoff_max_ms", "longest fail-fast period", Int(FIELD(redis.redis.backoff_max_ms), 1, 600000)},
      {"quota", "redis_sentinels", "Sentinels (\"host:port\") that name the master; [] = redis_host/port",
       EndpointList(FIELD(redis.redis.sentinels))},
      {"quota", "redis_master_name", "master name the sentinels monitor", Str(FIELD(redis.redis.master_name), false)},
      {"quota", "redis_sentinel_username", "ACL user of the sentinels (with redis_sentinel_password)",
       Str(FIELD(redis.redis.sentinel_username), false)},
      {"quota", "redis_sentinel_password", "AUTH password of the sentinels; \"\" = no AUTH",
       Str(FIELD(redis.redis.sentinel_password), false)},
      {"quota", "redis_wait_replicas", "WAIT for this many replicas after each count (0 = off; see README)",
       Int(FIELD(redis.redis.wait_replicas), 0, 100)},
      {"quota", "redis_wait_timeout_ms", "WAIT bound; below redis_command_timeout_ms",
       Int(FIELD(redis.redis.wait_timeout_ms), 1, 60000)},
      {"quota", "redis_time", "clock of the windows: redis (TIME) or caller",
       BOOL_WORD(redis.redis.use_redis_time, "redis", "caller")},
      {"quota", "redis_outage", "Redis unreachable: fail-closed (451 4.3.0), fail-open, or fallback (embedded store)",
       Outage()},
      {"quota", "redis_fallback_nodes", "fallback limits = limit / this (number of relays)",
       Int(FIELD(redis.resilience.node_count), 1, 1000)},
      {"rules", "paths", "rule files or directories (*.cf, lexical order); [] = no content scan",
       StrList(FIELD(rule_paths), true)},
      {"rules", "strict", "a rule that cannot be honoured is an error (false: warn, skip it)",
       Bool(FIELD(rule_load.strict))},
      {"rules", "actions_file", "score thresholds per quota class; \"\" = tag 5, quarantine 8, reject 12",
       Str(FIELD(actions_file), true)},
      {"rules", "max_scan_bytes", "bytes of a message scanned (the rest is delivered unscanned)",
       Int(FIELD(scan_limits.max_scan_bytes), 1024, 1LL << 30)},
      {"rules", "max_parts", "MIME parts scanned", Int(FIELD(scan_limits.max_parts), 1, 1000000)},
      {"rules", "max_depth", "MIME nesting scanned", Int(FIELD(scan_limits.max_depth), 1, 100)},
      {"rules", "max_header_bytes", "bytes kept of each header value",
       Int(FIELD(scan_limits.max_header_bytes), 256, 1 << 24)},
      {"rules", "max_uris", "URLs collected per message", Int(FIELD(scan_limits.max_uris), 1, 1000000)},
      {"dkim", "key_table", "NAME domain:selector:keyfile per line; \"\" = no signing",
       Str(FIELD(dkim.key_table_path), true)},
      {"dkim", "signing_table", "From-domain pattern -> key name(s)", Str(FIELD(dkim.signing_table_path), true)},
      {"dkim", "canonicalization", "header/body canonicalization (c=)", Canonicalization()},
      {"dkim", "sign_headers", "header fields signed when present (default: RFC 6376 5.4.1 list)",
       StrList(FIELD(dkim.sign_headers), false)},
      {"dkim", "oversign_headers", "fields signed once more than present, so none can be added",
       StrList(FIELD(dkim.oversign_headers), false)},
      {"dkim", "expiry_seconds", "x= = t= + this; 0 = no x=", Int(FIELD(dkim.expiry_seconds), 0, 1LL << 31)},
      {"dkim", "allow_group_readable_keys", "accept keys readable by their group (never by others)",
       Bool(FIELD(dkim.allow_group_readable_keys))},
      {"dkim", "rsa_with_libopendkim", "make RSA signatures through libopendkim (slower)",
       Bool(FIELD(dkim.rsa_with_libopendkim))},
      {"dkim", "require_published_key", "a key marked require-published signs only while DNS shows its record",
       Bool(FIELD(dkim.require_published_key))},
      {"dkim", "key_check_interval", "seconds between the parent's DNS checks of the keys",
       Int(FIELD(dkim.key_check_interval_s), 1, 86400)},
      {"dkim", "key_check_timeout", "seconds one round of key checks may take (spf.resolver_timeout per query)",
       Int(FIELD(dkim.key_check_timeout_s), 1, 300)},
      {"abuse", "policy_file", "compromised-account conditions and actions (policies/abuse.conf); \"\" = off",
       Str(FIELD(abuse.policy_file), true)},
      {"abuse", "postfix_config_dir", "Postfix's config directory for postsuper (release of held mail); \"\" = its default",
       Str(FIELD(abuse.postfix_config_dir), true)},
      {"abuse", "webhook_url", "where alerts are POSTed (JSON, signed); \"\" = no webhook", Str(FIELD(abuse.webhook_url), false)},
      {"abuse", "webhook_secret_file", "HMAC-SHA256 key of the X-Sendguard-Signature header (\"\" = unsigned)",
       Str(FIELD(abuse.webhook_secret_file), true)},
      {"abuse", "webhook_timeout_ms", "per POST; a receiver that is down is retried from the outbox",
       Int(FIELD(abuse.webhook_timeout_ms), 100, 120000)},
      {"abuse", "alert_mail_to", "abuse desk addresses that get a mail per change ([] = none)",
       StrList(FIELD(abuse.alert_mail_to), false)},
      {"abuse", "alert_mail_from", "sender of those mails (neither counted nor restricted)", Str(FIELD(abuse.alert_mail_from), false)},
      {"abuse", "sendmail", "the local sendmail(1) that takes them (with -C postfix_config_dir when set)",
       Str(FIELD(abuse.sendmail), false)},
      {"abuse", "outbox_dir", "alerts waiting for the webhook; \"\" = <daemon.state_dir>/outbox",
       Str(FIELD(abuse.outbox_dir), true)},
      {"policy", "listen",
       "Postfix SMTPD policy service sockets (check_policy_service), Postfix's spelling; [] = off",
       PolicySocketList()},
      {"policy", "request_timeout", "seconds a client may take to finish a request it started",
       Int(FIELD(policy.request_timeout_s), 1, 3600)},
      {"policy", "idle_timeout", "seconds an idle policy connection stays open (above Postfix's max_idle)",
       Int(FIELD(policy.idle_timeout_s), 1, 86400)},
      {"policy", "max_connections", "policy connections per worker; more are closed at once",
       Int(FIELD(policy.max_connections), 1, 100000)},
      {"policy", "with_milter", "the milter is attached to the same smtpd: it leaves the counting of what the policy service saw to it",
       Bool(FIELD(policy.with_milter))},
      {"senders", "enabled", "check that the sender may use its From and envelope addresses",
       Bool(FIELD(senders_enabled))},
      {"senders", "policy", "login -> allowed addresses; \"\" = only the same-domain rule",
       Str(FIELD(senders.policy_path), true)},
      {"senders", "mismatch_action", "From not allowed: reject (550 5.7.1), unsigned, tempfail",
       SenderActionField(FIELD(senders.mismatch_action))},
      {"senders", "bad_from_action", "no From or several From", SenderActionField(FIELD(senders.bad_from_action))},
      {"senders", "default_same_domain", "a login user@domain may use any address @domain",
       Bool(FIELD(senders.default_same_domain))},
      {"senders", "allow_unmatched_unauthenticated", "trusted-network senders no policy line names may use any address",
       Bool(FIELD(senders.allow_unmatched_unauthenticated))},
      {"senders", "check_envelope_from", "check MAIL FROM too", Bool(FIELD(senders.check_envelope_from))},
      {"spf", "enabled", "SPF / DMARC pre-flight checks", Bool(FIELD(spf_enabled))},
      {"spf", "egress_ips", "the relay's outbound addresses as receivers see them", StrList(FIELD(spf.egress_ips), false)},
      {"spf", "dns_data_file", "static DNS data instead of the resolver (tests, air-gapped; DKIM key checks too)",
       Str(FIELD(spf.dns_data_file), true)},
      {"spf", "timeout_ms", "deadline of one check", Int(FIELD(spf.timeout_ms), 10, 60000)},
      {"spf", "helpers", "unprivileged SPF helper processes", Int(FIELD(spf.helpers), 1, 64)},
      {"spf", "cache_bits", "DNS cache of 2^n entries per helper", Int(FIELD(spf.cache_bits), 1, 20)},
      {"spf", "resolver_timeout", "seconds per DNS query", Int(FIELD(spf.resolver_timeout_s), 1, 30)},
      {"spf", "public_suffix_file", "for organisational domains", Str(FIELD(spf.public_suffix_file), true)},
      {"spf", "egress_fail_action", "relay not authorised by the sender domain's SPF",
       SpfActionField(FIELD(spf.egress_fail_action))},
      {"spf", "dmarc_action", "p=quarantine/reject domain and the mail will not align",
       SpfActionField(FIELD(spf.dmarc_action))},
      {"spf", "spoof_action", "trusted-network client fails the sender domain's SPF",
       SpfActionField(FIELD(spf.spoof_action))},
      {"spf", "temperror_action", "a check could not finish (DNS timeout, helper crash)",
       SpfActionField(FIELD(spf.temperror_action))},
      {"spf", "include_hint", "what customers should publish, e.g. include:_spf.relay.example",
       Str(FIELD(spf.include_hint), false)},
      {"spf", "authserv_id", "first token of the Authentication-Results header", Str(FIELD(spf.authserv_id), false)},
      {"http", "listen", "metrics and console server: \"HOST:PORT\", \"[V6]:PORT\" or \"PORT\" (loopback); \"\" = off",
       HttpListen()},
      {"http", "metrics_token_file", "Bearer token /metrics asks for (first line; read by the parent); \"\" = none",
       Str(FIELD(http.metrics_token_file), true)},
      {"http", "metrics_users_file",
       "basic-auth users /metrics accepts, \"user:HASH\" lines (`sendguard console-passwd`; read by the parent)",
       Str(FIELD(http.metrics_users_file), true)},
      {"http", "tls_cert_file", "PEM certificate chain; with tls_key_file the server speaks HTTPS only",
       Str(FIELD(http.tls_cert_file), true)},
      {"http", "tls_key_file", "PEM private key (read by the parent)", Str(FIELD(http.tls_key_file), true)},
      {"http", "threads", "the HTTP server's own threads", Int(FIELD(http.threads), 1, 64)},
      {"http", "max_connections", "connections open at once", Int(FIELD(http.max_connections), 1, 100000)},
      {"http", "per_ip_connections", "connections open at once from one address",
       Int(FIELD(http.per_ip_connections), 1, 100000)},
      {"http", "timeout", "seconds an idle or slow connection is kept", Int(FIELD(http.timeout_s), 1, 3600)},
      {"http", "console_users_file", "console logins, \"user:HASH\" lines (`sendguard console-passwd`); \"\" = no console",
       Str(FIELD(http.console_users_file), true)},
      {"http", "console_dir", "the console's per-minute history; \"\" = <daemon.state_dir>/console",
       Str(FIELD(http.console_dir), true)},
      {"http", "login_attempts", "failed console logins (and /metrics credentials) allowed per client address in 5 minutes",
       Int(FIELD(http.login_attempts), 1, 1000)},
      {"http", "session_minutes", "console session lifetime", Int(FIELD(http.session_minutes), 5, 100000)},
      {"spf", "helper_user", "user the parent starts SPF helpers as (\"\" = daemon.user)", Str(FIELD(spf.helper_user), false)},
  };
  return keys;
}

// Sections in the order they first appear in the table.
std::vector<std::string> Sections() {
  std::vector<std::string> out;
  for (const KeySpec& k : Keys()) {
    if (std::find(out.begin(), out.end(), k.section) == out.end()) out.push_back(k.section);
  }
  return out;
}

// The Config as TOML, grouped by section; with `docs`, each key's
// documentation as a comment line above it.
std::string Render(const Config& c, bool docs) {
  std::ostringstream out;
  for (const std::string& section : Sections()) {
    out << "\n[" << section << "]\n";
    for (const KeySpec& k : Keys()) {
      if (section != k.section) continue;
      if (docs) out << "# " << k.doc << "\n";
      out << k.key << " = " << k.field.get(c) << "\n";
    }
  }
  return out.str();
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
    Status s = spec->field.set(value, *spec, c);
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
  if (c->abuse.outbox_dir.empty()) c->abuse.outbox_dir = c->daemon.state_dir + "/outbox";
  if (c->http.console_dir.empty()) c->http.console_dir = c->daemon.state_dir + "/console";
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

std::vector<IpPrefix> DefaultTrustedNetworks() {
  return {*IpPrefix::Parse("127.0.0.0/8"), *IpPrefix::Parse("::1/128")};
}

std::string Config::PidFile() const {
  return daemon.pid_file.empty() ? daemon.state_dir + "/sendguard.pid" : daemon.pid_file;
}

std::string Config::ControlSocket() const {
  return daemon.control_socket.empty() ? daemon.state_dir + "/sendguard.ctl" : daemon.control_socket;
}

std::string Config::HttpListenSpec() const {
  Result<std::string> spec = ParseHttpListen(http.listen);
  return spec.ok() ? *spec : "";
}

int Config::WorkersPerSocket() const {
  if (daemon.workers > 0) return daemon.workers;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 0 ? static_cast<int>(cores) : 1;
}

Result<Config> LoadConfig(const std::string& path) {
  Config c;
  c.path = path;
  c.dir = DirName(path);
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
  return "# sendguard configuration: every key with its default. As a file, this\n"
         "# is a valid configuration that changes nothing.\n" +
         Render(Config(), /*docs=*/true);
}

std::string ConfigValues(const Config& config) { return Render(config, /*docs=*/false); }

std::vector<std::string> ConfigKeyNames() {
  std::vector<std::string> names;
  for (const KeySpec& k : Keys()) names.push_back(std::string(k.section) + "." + k.key);
  return names;
}

}  // namespace sendguard

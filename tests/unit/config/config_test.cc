// Tests for config/config.h: defaults, overrides, and file:line errors.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "config/config.h"

using namespace sendguard;

namespace {
// A config file in a fresh temp dir, removed at scope exit.
class TempConfig {
 public:
  explicit TempConfig(const std::string& text) {
    char tmpl[] = "/tmp/sgconfXXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/sendguard.conf";
    std::ofstream(path_) << text;
  }
  ~TempConfig() {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, path_;
};
}  // namespace

BOOST_AUTO_TEST_CASE(empty_file_gives_documented_defaults) {
  TempConfig f("");
  Result<Config> c = LoadConfig(f.path());
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  BOOST_TEST((c->daemon.failure_action == FailureAction::kTempfail));
  BOOST_TEST(c->daemon.socket_mode == 0660u);
  BOOST_TEST(c->identity.trusted_networks.size() == 2u);
  BOOST_TEST(c->PidFile() == "/var/lib/sendguard/sendguard.pid");
}

BOOST_AUTO_TEST_CASE(values_and_relative_paths) {
  TempConfig f(
      "[daemon]\nlisten = [\"unix:sock/s.sock\", \"inet:8891@127.0.0.1\"]\n"
      "socket_mode = \"0600\"\nstate_dir = \"state\"\nfailure_action = \"reject\"\n"
      "[log]\ntarget = \"stderr\"\nlevel = \"debug\"\n"
      "[identity]\ntrusted_networks = [\"192.0.2.0/24\"]\nfold_case = false\n");
  Result<Config> c = LoadConfig(f.path());
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  BOOST_TEST(c->daemon.listen.size() == 2u);
  BOOST_TEST(c->daemon.listen[0] == "unix:" + f.dir() + "/sock/s.sock");
  BOOST_TEST(c->daemon.listen[1] == "inet:8891@127.0.0.1");
  BOOST_TEST(c->daemon.socket_mode == 0600u);
  BOOST_TEST(c->daemon.state_dir == f.dir() + "/state");
  BOOST_TEST((c->daemon.failure_action == FailureAction::kReject));
  BOOST_TEST(!c->log.to_syslog);
  BOOST_TEST(!c->identity.fold_case);
  BOOST_TEST(c->identity.trusted_networks.size() == 1u);
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_and_line) {
  TempConfig f("[daemon]\nuser = \"\"\n\nlisen = \"unix:/x\"\n");
  Result<Config> c = LoadConfig(f.path());
  BOOST_REQUIRE(!c.ok());
  BOOST_TEST(c.status().message() == f.path() + ":4: unknown key 'lisen' in [daemon]");
}

BOOST_AUTO_TEST_CASE(unknown_section_is_an_error) {
  TempConfig f("[deamon]\nuser = \"x\"\n");
  Result<Config> c = LoadConfig(f.path());
  BOOST_REQUIRE(!c.ok());
  BOOST_TEST(c.status().message().find(":1: unknown section 'deamon'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_values_name_file_line_and_key) {
  struct Case { const char* text; const char* expect; };
  const Case cases[] = {
      {"[daemon]\nfailure_action = \"bounce\"\n", ":2: daemon.failure_action: unknown action 'bounce'"},
      {"[daemon]\nsocket_mode = \"rw\"\n", ":2: daemon.socket_mode: expected an octal mode"},
      {"[daemon]\nlisten = \"tcp:99\"\n", ":2: daemon.listen: 'tcp:99' is not"},
      {"\n[daemon]\ndrain_timeout = -1\n", ":3: daemon.drain_timeout: expected an integer from 0"},
      {"[identity]\ntrusted_networks = [\"10.0.0.0/40\"]\n", ":2: identity.trusted_networks: prefix length"},
      {"[log]\nlevel = 3\n", ":2: log.level: expected"},
  };
  for (const Case& k : cases) {
    TempConfig f(k.text);
    Result<Config> c = LoadConfig(f.path());
    BOOST_REQUIRE(!c.ok());
    BOOST_TEST_INFO(k.text);
    BOOST_TEST(c.status().message().find(f.path() + k.expect) == 0, c.status().message());
  }
}

BOOST_AUTO_TEST_CASE(syntax_error_and_missing_file) {
  TempConfig f("[daemon]\nuser = \"unterminated\n");
  Result<Config> c = LoadConfig(f.path());
  BOOST_REQUIRE(!c.ok());
  BOOST_TEST(c.status().message().find(f.path() + ":2:") == 0, c.status().message());
  Result<Config> missing = LoadConfig("/nonexistent/sendguard.conf");
  BOOST_TEST(!missing.ok());
  BOOST_TEST(missing.status().message().find("/nonexistent/sendguard.conf") != std::string::npos);
}

// `sendguard help config` is the reference: read back as a file it must give
// exactly the defaults, so every key's writer and reader agree.
BOOST_AUTO_TEST_CASE(reference_reads_back_as_the_defaults) {
  TempConfig reference(ConfigReference());
  TempConfig empty("");
  Result<Config> from_reference = LoadConfig(reference.path());
  BOOST_REQUIRE_MESSAGE(from_reference.ok(), from_reference.status().ToString());
  Result<Config> defaults = LoadConfig(empty.path());
  BOOST_REQUIRE(defaults.ok());
  BOOST_TEST(ConfigValues(*from_reference) == ConfigValues(*defaults));
}

// Each key once, under its own section, and each section once.
BOOST_AUTO_TEST_CASE(reference_lists_every_key_once_in_its_section) {
  const std::string ref = ConfigReference();
  for (const std::string& name : ConfigKeyNames()) {
    std::string section = name.substr(0, name.find('.'));
    std::string key = name.substr(name.find('.') + 1);
    size_t header = ref.find("\n[" + section + "]\n");
    BOOST_REQUIRE_MESSAGE(header != std::string::npos, name);
    BOOST_TEST(ref.find("\n[" + section + "]\n", header + 1) == std::string::npos, section);
    size_t end = ref.find("\n[", header + 1);
    std::string body = ref.substr(header, end == std::string::npos ? std::string::npos : end - header);
    size_t at = body.find("\n" + key + " = ");
    BOOST_TEST(at != std::string::npos, name);
    BOOST_TEST(body.find("\n" + key + " = ", at + 1) == std::string::npos, name);
  }
}

// A changed value survives the writer: what ConfigValues prints reads back
// to the same configuration (not just for the defaults).
BOOST_AUTO_TEST_CASE(values_round_trip_when_changed) {
  TempConfig f(
      "[daemon]\nsocket_mode = \"0600\"\nfailure_action = \"accept\"\n"
      "[log]\ntarget = \"stderr\"\nlevel = \"debug\"\n"
      "[identity]\ntrusted_networks = [\"192.0.2.0/24\"]\n"
      "[quota]\nstore = \"redis\"\nredis_time = \"caller\"\nredis_outage = \"fallback\"\n"
      "[dkim]\ncanonicalization = \"simple/relaxed\"\nsign_headers = [\"from\", \"to\"]\n"
      "[senders]\nmismatch_action = \"unsigned\"\n"
      "[spf]\ndmarc_action = \"reject\"\ninclude_hint = \"a \\\"quoted\\\" \\\\ hint\"\n");
  Result<Config> changed = LoadConfig(f.path());
  BOOST_REQUIRE_MESSAGE(changed.ok(), changed.status().ToString());
  TempConfig again(ConfigValues(*changed));
  Result<Config> reread = LoadConfig(again.path());
  BOOST_REQUIRE_MESSAGE(reread.ok(), reread.status().ToString());
  BOOST_TEST(ConfigValues(*reread) == ConfigValues(*changed));
  BOOST_TEST(ConfigValues(*changed).find("mismatch_action = \"unsigned\"") != std::string::npos);
  BOOST_TEST(ConfigValues(*changed).find("include_hint = \"a \\\"quoted\\\" \\\\ hint\"") != std::string::npos);
}

// Every word of every fixed vocabulary reads in and writes out as itself, so
// the reference can never print one value while the struct holds another.
BOOST_AUTO_TEST_CASE(every_vocabulary_word_writes_back_as_itself) {
  struct Words { const char* section; const char* key; std::vector<const char*> words; };
  const Words all[] = {
      {"daemon", "failure_action", {"tempfail", "reject", "accept"}},
      {"daemon", "socket_mode", {"0660", "0600", "0777", "0640"}},
      {"log", "target", {"syslog", "stderr"}},
      {"log", "level", {"debug", "info", "warning", "error"}},
      {"quota", "store", {"lmdb", "redis"}},
      {"quota", "redis_time", {"redis", "caller"}},
      {"quota", "redis_outage", {"fail-closed", "fail-open", "fallback"}},
      {"dkim", "canonicalization", {"relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"}},
      {"senders", "mismatch_action", {"reject", "unsigned", "tempfail"}},
      {"senders", "bad_from_action", {"reject", "unsigned", "tempfail"}},
      {"spf", "egress_fail_action", {"none", "tag", "tempfail", "reject"}},
      {"spf", "dmarc_action", {"none", "tag", "tempfail", "reject"}},
      {"spf", "spoof_action", {"none", "tag", "tempfail", "reject"}},
      {"spf", "temperror_action", {"none", "tag", "tempfail", "reject"}},
  };
  for (const Words& w : all) {
    for (const char* word : w.words) {
      std::string line = std::string(w.key) + " = \"" + word + "\"";
      TempConfig f("[" + std::string(w.section) + "]\n" + line + "\n");
      Result<Config> c = LoadConfig(f.path());
      BOOST_REQUIRE_MESSAGE(c.ok(), c.status().ToString());
      std::string values = ConfigValues(*c);
      size_t section = values.find("[" + std::string(w.section) + "]\n");
      BOOST_TEST(values.find("\n" + line + "\n", section) != std::string::npos, line);
    }
  }
}

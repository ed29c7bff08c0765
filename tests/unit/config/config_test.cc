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

BOOST_AUTO_TEST_CASE(reference_lists_every_key) {
  std::string ref = ConfigReference();
  BOOST_TEST(ref.find("[daemon]") != std::string::npos);
  BOOST_TEST(ref.find("failure_action = \"tempfail\"") != std::string::npos);
}

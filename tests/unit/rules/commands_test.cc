// Tests for rules/commands.h: `sendguard lint` and `sendguard scan` output
// and exit codes.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "rules/commands.h"

using namespace sendguard::rules;  // NOLINT
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() : path(fs::temp_directory_path() / ("sg_cmd_test_" + std::to_string(getpid()))) {
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
  fs::path path;
};

}  // namespace

BOOST_AUTO_TEST_CASE(lint_prints_problems_summary_and_exit_status) {
  TempDir dir;
  std::string good = dir.Write("good.cf", "body GOOD /fine/\ndescribe GOOD fine\n");
  std::string bad = dir.Write("bad.cf", "body GOOD2 /fine/\nbody LOOK /a(?!b)/\nbody E eval:x()\n");
  std::ostringstream out, err;
  BOOST_TEST(RunLintCommand({good}, CommandOptions(), out, err) == 0);
  BOOST_TEST(out.str() == "loaded 1 of 1 rules (regex 1 of 1); 0 unsupported\n");

  out.str("");
  BOOST_TEST(RunLintCommand({bad}, CommandOptions(), out, err) == 1);
  BOOST_TEST(out.str().find(bad + ":2: LOOK: error: negative look-ahead (?! at offset 1\n") != std::string::npos);
  BOOST_TEST(out.str().find("loaded 1 of 3 rules (regex 1 of 2); 2 unsupported: eval 1, look-around 1\n") !=
             std::string::npos);

  out.str("");
  BOOST_TEST(RunLintCommand({"--lenient", bad}, CommandOptions(), out, err) == 0);
  BOOST_TEST(out.str().find(":2: LOOK: warning: ") != std::string::npos);

  std::string broken = dir.Write("broken.cf", "if version > 3\n");
  err.str("");
  BOOST_TEST(RunLintCommand({broken}, CommandOptions(), out, err) == 2);
  BOOST_TEST(err.str().find(broken + ":1: 'if' block is never closed") != std::string::npos);
  BOOST_TEST(RunLintCommand({"--bogus"}, CommandOptions(), out, err) == 2);
}

BOOST_AUTO_TEST_CASE(lint_uses_default_paths) {
  TempDir dir;
  dir.Write("a.cf", "body A /a/\n");
  CommandOptions o;
  o.default_rule_paths = {dir.path.string()};
  std::ostringstream out, err;
  BOOST_TEST(RunLintCommand({}, o, out, err) == 0);
  BOOST_TEST(out.str() == "loaded 1 of 1 rules (regex 1 of 1); 0 unsupported\n");
}

BOOST_AUTO_TEST_CASE(scan_shows_parts_hits_total_and_action) {
  TempDir dir;
  std::string rules = dir.Write("r.cf",
                                "body __MONEY /million dollars/i\n"
                                "header SUBJ Subject =~ /urgent/i\nscore SUBJ 3\ndescribe SUBJ Urgent subject\n"
                                "meta MONEY_URGENT __MONEY && SUBJ\nscore MONEY_URGENT 3.5\n");
  std::string eml = dir.Write("m.eml",
                              "From: a@example.com\nTo: b@example.org\nSubject: =?UTF-8?B?VVJHRU5UIHJlcGx5?=\n"
                              "Content-Type: text/plain; charset=utf-8\n\nYou get ten Million Dollars.\n");
  CommandOptions o;
  o.default_rule_paths = {rules};
  std::ostringstream out, err;
  BOOST_TEST(RunScanCommand({eml}, o, out, err) == 0);
  std::string s = out.str();
  BOOST_TEST(s.find("parts:\n  text/plain; charset=utf-8; ") != std::string::npos);
  BOOST_TEST(s.find("  Subject: URGENT reply\n") != std::string::npos);
  BOOST_TEST(s.find("    3.00  SUBJ  Urgent subject\n          matched: \"URGENT\"\n") != std::string::npos);
  BOOST_TEST(s.find("    3.50  MONEY_URGENT\n") != std::string::npos);
  BOOST_TEST(s.find("total: 6.50  action: tag (tag 5, quarantine 8, reject 12)\n") != std::string::npos);
  BOOST_TEST(s.find("__MONEY") == std::string::npos);

  out.str("");
  o.thresholds.quarantine = 6;
  BOOST_TEST(RunScanCommand({"--explain", eml}, o, out, err) == 0);
  s = out.str();
  BOOST_TEST(s.find("action: quarantine") != std::string::npos);
  BOOST_TEST(s.find("sub-rules (not scored):\n    0.00  __MONEY\n          matched: \"Million Dollars\"") !=
             std::string::npos);
  BOOST_TEST(s.find("  | You get ten Million Dollars.") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(scan_errors_exit_2) {
  TempDir dir;
  std::string rules = dir.Write("r.cf", "body LOOK /(?<=a)b/\n");
  std::string eml = dir.Write("m.eml", "Subject: x\n\nbody\n");
  CommandOptions o;
  std::ostringstream out, err;
  BOOST_TEST(RunScanCommand({"--rules", rules, eml}, o, out, err) == 2);
  BOOST_TEST(err.str().find("rules not loaded") != std::string::npos);
  BOOST_TEST(RunScanCommand({"--rules", rules, "--lenient", eml}, o, out, err) == 0);
  BOOST_TEST(RunScanCommand({"--rules", rules, (dir.path / "missing.eml").string()}, o, out, err) == 2);
  BOOST_TEST(RunScanCommand({}, o, out, err) == 2);
}

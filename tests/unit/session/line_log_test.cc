// Tests for session/line_log: one line per write, a swapped descriptor,
// and an unopenable path named by its key.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "session/line_log.h"
#include "../temp_dir.h"

namespace sendguard {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

BOOST_AUTO_TEST_CASE(lines_go_to_the_current_file) {
  test::TempDir dir;
  std::string a = dir.path() + "/a.jsonl", b = dir.path() + "/b.jsonl";
  Result<int> fa = OpenLogFile(a, "[log] decision_log");
  BOOST_REQUIRE(fa.ok());
  LineLog log(*fa);
  log.Write("{\"n\":1}");
  Result<int> fb = OpenLogFile(b, "[log] decision_log");
  BOOST_REQUIRE(fb.ok());
  log.Replace(*fb);
  log.Write("{\"n\":2}");
  BOOST_CHECK_EQUAL(Slurp(a), "{\"n\":1}\n");
  BOOST_CHECK_EQUAL(Slurp(b), "{\"n\":2}\n");
}

BOOST_AUTO_TEST_CASE(an_unopenable_path_names_the_key) {
  Result<int> fd = OpenLogFile("/nonexistent-dir/x.jsonl", "[log] decision_log");
  BOOST_REQUIRE(!fd.ok());
  BOOST_CHECK(fd.status().message().find("[log] decision_log") != std::string::npos);
}

}  // namespace
}  // namespace sendguard

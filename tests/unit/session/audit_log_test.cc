// Tests for session/audit_log: every entry reaches the process's sink as
// one line the parent accepts; lines that are not audit entries are refused.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "session/audit_log.h"

namespace sendguard {
namespace {

BOOST_AUTO_TEST_CASE(entries_reach_the_sink_as_lines_the_parent_accepts) {
  std::vector<std::string> lines;
  SetAuditSink([&lines](const std::string& line) { lines.push_back(line); });
  abuse::AuditEntry e;
  e.time = 1700000000;
  e.identity = "alice@example.org";
  e.action = "delete-held";
  e.by = "console:bob";
  e.reason = "two\nlines";
  e.queue_ids = {"AAAAAA", "BBBBBB"};
  e.result = "postsuper failed";
  Audit(e);
  SetAuditSink(nullptr);
  Audit(e);  // no sink: the daemon's log only
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_TEST(IsAuditLine(lines[0]), lines[0]);
  BOOST_TEST(lines[0].find("\"relay\": \"" + RelayName() + "\"") != std::string::npos);
  BOOST_TEST(lines[0].find("\"queue_ids\": [\"AAAAAA\", \"BBBBBB\"]") != std::string::npos);
  BOOST_TEST(lines[0].find("\"result\": \"postsuper failed\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(what_is_not_one_audit_line_is_refused) {
  BOOST_TEST(!IsAuditLine(""));
  BOOST_TEST(!IsAuditLine("{\"type\": \"sendguard.abuse\", \"identity\": \"x\"}"));
  BOOST_TEST(!IsAuditLine("{\"type\": \"sendguard.audit\", \"x\": 1}\n{\"type\": \"sendguard.audit\", \"y\": 2}"));
  BOOST_TEST(!IsAuditLine("{\"type\": \"sendguard.audit\", \"x\": 1"));
  BOOST_TEST(IsAuditLine("{\"type\": \"sendguard.audit\", \"x\": 1}"));
}

}  // namespace
}  // namespace sendguard

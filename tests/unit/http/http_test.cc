// Tests for http/: argon2id passwords and the users file, sessions, the
// login limiter, the per-minute history ring, form parsing and escaping,
// and who may scrape /metrics (token, basic auth, the failure limit).
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "../temp_dir.h"
#include "http/console.h"
#include "http/history.h"
#include "http/metrics_auth.h"
#include "http/metrics_page.h"
#include "http/password.h"
#include "http/sessions.h"

namespace sendguard::http {
namespace {

BOOST_AUTO_TEST_CASE(passwords_verify_only_themselves) {
  Result<std::string> hash = HashPassword("s3cret");
  BOOST_REQUIRE(hash.ok());
  BOOST_CHECK(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
  BOOST_CHECK(VerifyPassword(*hash, "s3cret"));
  BOOST_CHECK(!VerifyPassword(*hash, "s3cret "));
  BOOST_CHECK(!VerifyPassword("$argon2id$garbage", "s3cret"));
  BOOST_CHECK(!VerifyPassword("plain", "plain"));
  BOOST_CHECK(*HashPassword("s3cret") != *hash);  // salted
}

BOOST_AUTO_TEST_CASE(users_file_errors_name_the_line) {
  test::TempDir dir;
  std::string path = dir.path() + "/users";
  std::ofstream(path) << "# console\nadmin:" << *HashPassword("x") << "\n\nbob:plaintext\n";
  Result<Users> users = LoadUsers(path);
  BOOST_REQUIRE(!users.ok());
  BOOST_CHECK(users.status().message().find(path + ":4:") == 0);
  std::ofstream(path) << "admin:" << *HashPassword("x") << "\n";
  BOOST_CHECK_EQUAL(LoadUsers(path)->count("admin"), 1u);
}

BOOST_AUTO_TEST_CASE(sessions_expire) {
  SessionTable t(60);
  std::string token = t.Create("admin", 1000);
  BOOST_CHECK_EQUAL(token.size(), 64u);
  std::optional<ConsoleSession> s = t.Find(token, 1059);
  BOOST_REQUIRE(s);
  BOOST_CHECK_EQUAL(s->user, "admin");
  BOOST_CHECK_EQUAL(s->csrf.size(), 64u);
  BOOST_CHECK(s->csrf != token);
  BOOST_CHECK(!t.Find(token, 1060));
  BOOST_CHECK(!t.Find("", 1000));
}

BOOST_AUTO_TEST_CASE(login_limiter_counts_per_address_in_a_window) {
  LoginLimiter l(2);
  l.Failed("192.0.2.1", 100);
  BOOST_CHECK(l.Allowed("192.0.2.1", 100));
  l.Failed("192.0.2.1", 101);
  BOOST_CHECK(!l.Allowed("192.0.2.1", 102));
  BOOST_CHECK(l.Allowed("192.0.2.2", 102));
  BOOST_CHECK(l.Allowed("192.0.2.1", 401));  // the first failure left the window
}

BOOST_AUTO_TEST_CASE(history_ring_adds_growth_per_minute_and_survives_reopening) {
  test::TempDir dir;
  std::string path = dir.path() + "/history.ring";
  int64_t t0 = 1800000000 - 1800000000 % 60;
  {
    auto ring = HistoryRing::Open(path);
    BOOST_REQUIRE(ring.ok());
    (*ring)->Sample({5, 0, 0, 1, 0}, t0);        // all new (first sample)
    (*ring)->Sample({7, 0, 0, 1, 2}, t0 + 30);   // +2 accepted, +2 refusals
    (*ring)->Sample({8, 0, 0, 1, 2}, t0 + 61);   // next minute: +1
  }
  auto ring = HistoryRing::Open(path);
  BOOST_REQUIRE(ring.ok());
  (*ring)->Sample({8, 0, 0, 1, 2}, t0 + 62);  // same totals after a restart of the server: nothing new
  (*ring)->Sample({1, 0, 0, 0, 0}, t0 + 63);  // the daemon restarted: its 1 is new
  std::vector<HistoryPoint> pts = (*ring)->Range(t0 + 63, 3, 3);
  BOOST_REQUIRE_EQUAL(pts.size(), 3u);
  BOOST_CHECK_EQUAL(pts[1].start_s, t0);
  BOOST_CHECK_EQUAL(pts[1].values[0], 7u);
  BOOST_CHECK_EQUAL(pts[1].values[3], 1u);
  BOOST_CHECK_EQUAL(pts[1].values[4], 2u);
  BOOST_CHECK_EQUAL(pts[2].values[0], 2u);
  BOOST_CHECK_EQUAL(pts[0].values[0], 0u);
  std::vector<HistoryPoint> day = (*ring)->Range(t0 + 63, 1440, 144);
  BOOST_CHECK_EQUAL(day.size(), 144u);
  BOOST_CHECK_EQUAL(day.back().values[0], 9u);  // the last bucket holds both minutes
}

BOOST_AUTO_TEST_CASE(forms_and_html) {
  std::map<std::string, std::string> f = ParseForm("id=a%40b.org&csrf=x+y&bad&e=");
  BOOST_CHECK_EQUAL(f["id"], "a@b.org");
  BOOST_CHECK_EQUAL(f["csrf"], "x y");
  BOOST_CHECK_EQUAL(f.count("bad"), 0u);
  BOOST_CHECK_EQUAL(HtmlEscape("<a href=\"x\">'&"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
  BOOST_CHECK(SecretEquals("abc", "abc"));
  BOOST_CHECK(!SecretEquals("abc", "abd"));
  BOOST_CHECK(!SecretEquals("abc", "ab"));
}

Request WithAuthorization(const std::string& value, const std::string& ip = "127.0.0.1") {
  Request r;
  r.method = "GET";
  r.path = "/metrics";
  r.client_ip = ip;
  if (!value.empty()) r.headers["authorization"] = value;
  return r;
}

int StatusOf(MetricsAuth& auth, const Request& r) {
  std::optional<Response> refusal = auth.Refusal(r);
  return refusal ? refusal->status : 200;
}

BOOST_AUTO_TEST_CASE(basic_credentials_are_decoded) {
  BOOST_CHECK_EQUAL(BasicCredentials("Basic cHJvbTpzM2NyZXQ=").value_or("-"), "prom:s3cret");
  BOOST_CHECK_EQUAL(BasicCredentials("basic cHJvbTpzM2NyZXQ=").value_or("-"), "prom:s3cret");
  BOOST_CHECK_EQUAL(BasicCredentials("Basic cHJvbTo=").value_or("-"), "prom:");  // empty password
  BOOST_CHECK(!BasicCredentials("Basic cHJvbQ=="));   // "prom": no colon
  BOOST_CHECK(!BasicCredentials("Basic cHJvbTpz*"));  // not base64
  BOOST_CHECK(!BasicCredentials("Basic cHJvbTpzM2NyZXQ"));  // not a multiple of 4
  BOOST_CHECK(!BasicCredentials("Bearer cHJvbTpzM2NyZXQ="));
  BOOST_CHECK(!BasicCredentials(""));
}

BOOST_AUTO_TEST_CASE(metrics_auth_token_and_basic) {
  Users users{{"prom", *HashPassword("s3cret")}};
  MetricsAuth open("", {}, 5);
  BOOST_CHECK_EQUAL(StatusOf(open, WithAuthorization("")), 200);
  MetricsAuth both("tok", users, 5);
  BOOST_CHECK_EQUAL(StatusOf(both, WithAuthorization("Bearer tok")), 200);
  BOOST_CHECK_EQUAL(StatusOf(both, WithAuthorization("Basic cHJvbTpzM2NyZXQ=")), 200);
  BOOST_CHECK_EQUAL(StatusOf(both, WithAuthorization("Basic cHJvbTpzM2NyZXQ=")), 200);  // remembered
  std::optional<Response> none = both.Refusal(WithAuthorization(""));
  BOOST_REQUIRE(none);
  BOOST_CHECK_EQUAL(none->status, 401);
  BOOST_CHECK_EQUAL(none->headers.size(), 2u);  // Bearer and Basic offered
  BOOST_CHECK_EQUAL(StatusOf(both, WithAuthorization("Basic cHJvbTp3cm9uZw==")), 401);  // prom:wrong
  BOOST_CHECK_EQUAL(StatusOf(both, WithAuthorization("Basic b3RoZXI6czNjcmV0")), 401);  // other:s3cret
  MetricsAuth token_only("tok", {}, 5);
  BOOST_CHECK_EQUAL(StatusOf(token_only, WithAuthorization("Basic cHJvbTpzM2NyZXQ=")), 401);
  BOOST_CHECK_EQUAL(StatusOf(token_only, WithAuthorization("Bearer tok2")), 401);
}

BOOST_AUTO_TEST_CASE(metrics_auth_limits_failures_per_address) {
  MetricsAuth auth("", {{"prom", *HashPassword("s3cret")}}, 3);
  for (int i = 0; i < 3; ++i) BOOST_CHECK_EQUAL(StatusOf(auth, WithAuthorization("Basic cHJvbTp3cm9uZw==")), 401);
  BOOST_CHECK_EQUAL(StatusOf(auth, WithAuthorization("Basic cHJvbTp3cm9uZw==")), 429);
  BOOST_CHECK_EQUAL(StatusOf(auth, WithAuthorization("Basic cHJvbTpzM2NyZXQ=")), 429);  // not verified before
  BOOST_CHECK_EQUAL(StatusOf(auth, WithAuthorization("Basic cHJvbTpzM2NyZXQ=", "127.0.0.2")), 200);
  BOOST_CHECK_EQUAL(StatusOf(auth, WithAuthorization("Basic cHJvbTpzM2NyZXQ=")), 200);  // verified before: passes
  BOOST_CHECK_EQUAL(StatusOf(auth, WithAuthorization("Basic cHJvbTp3cm9uZw==")), 429);
  BOOST_CHECK_EQUAL(StatusOf(auth, WithAuthorization("")), 401);  // no credentials: not counted, not refused
}

}  // namespace
}  // namespace sendguard::http

namespace sendguard::http {
namespace {

BOOST_AUTO_TEST_CASE(account_page_time_left_until_a_window_frees) {
  BOOST_TEST(TimeLeft(0, 1000) == "now");
  BOOST_TEST(TimeLeft(900, 1000) == "now");
  BOOST_TEST(TimeLeft(1045, 1000) == "45s");
  BOOST_TEST(TimeLeft(1000 + 3 * 60 + 20, 1000) == "3m 20s");
  BOOST_TEST(TimeLeft(1000 + 86400 + 3600 + 5, 1000) == "1d 1h 0m 5s");
}

BOOST_AUTO_TEST_CASE(account_page_quota_table_shows_used_as_committed_plus_pending) {
  quota::QuotaView view;
  view.class_name = "default";
  view.class_source = "*";
  quota::LimitUsage u;
  u.limit.limit = 100;
  u.limit.window_seconds = 3600;
  u.committed = 98;
  u.pending = 2;
  u.frees_at_seconds = 1000 + 125;
  view.user_usage.push_back(u);
  std::string html = QuotaWindowsTable(view, "example.org", 1000);
  BOOST_TEST(html.find("<td>100 messages/1h</td><td>100</td><td class=\"used\">100</td><td>98</td><td>2</td>") !=
             std::string::npos, html);
  BOOST_TEST(html.find("full: frees in 2m 5s") != std::string::npos, html);
  BOOST_TEST(html.find("policy match: *") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(account_page_decisions_are_newest_first_and_escaped) {
  std::vector<abuse::Decision> list(2);
  list[0].at = 1;
  list[0].queue_id = "OLDER";
  list[0].action = "accept";
  list[1].at = 2;
  list[1].queue_id = "NEWER";
  list[1].from = "<script>@example.org";
  list[1].recipient_count = 5;
  list[1].recipients = {"a@x", "b@x", "c@x"};
  list[1].action = "reject";
  list[1].score = 7.25;
  list[1].rules = {"SG_PHISH", "SG_URI"};
  list[1].reply = "550 5.7.1 refused as spam";
  std::string html = DecisionsTable(list);
  BOOST_TEST(html.find("NEWER") < html.find("OLDER"));
  BOOST_TEST(html.find("<script>") == std::string::npos);
  BOOST_TEST(html.find("&lt;script&gt;@example.org") != std::string::npos);
  BOOST_TEST(html.find("a@x, b@x, c@x (+2 more)") != std::string::npos);
  BOOST_TEST(html.find("7.25: SG_PHISH, SG_URI") != std::string::npos);
  BOOST_TEST(html.find("550 5.7.1 refused as spam") != std::string::npos);
  BOOST_TEST(DecisionsTable({}).find("No decision recorded yet") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(account_page_held_buttons_carry_the_csrf_token_and_the_id) {
  ConsoleSession s;
  s.user = "admin";
  s.csrf = "tok123";
  abuse::Decision d;
  d.queue_id = "4QHELD1";
  d.hold_reason = "sendguard: account held for review (abuse: fanout)";
  std::string html = HeldTable("dave@example.org", {"4QHELD1"}, {d}, s);
  BOOST_TEST(html.find("id=\"deliver-4QHELD1\"") != std::string::npos);
  BOOST_TEST(html.find("id=\"delete-4QHELD1\"") != std::string::npos);
  size_t forms = 0;
  for (size_t at = html.find("<form"); at != std::string::npos; at = html.find("<form", at + 1)) ++forms;
  size_t tokens = 0;
  for (size_t at = html.find("value=\"tok123\""); at != std::string::npos; at = html.find("value=\"tok123\"", at + 1)) ++tokens;
  BOOST_TEST(forms == 2u);
  BOOST_TEST(tokens == 2u);
  BOOST_TEST(html.find("abuse: fanout") != std::string::npos);
}

}  // namespace
}  // namespace sendguard::http

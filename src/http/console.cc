// http/console.cc — the console's pages and actions.
#include "http/console.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "abuse/ladder.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/console_assets.h"
#include "http/console_page.h"
#include "http/metrics_page.h"
#include "session/abuse_admin.h"
#include "session/line_log.h"

namespace sendguard::http {
namespace {

constexpr size_t kPageSize = 50;
constexpr const char* kCookie = "sg_session";
constexpr const char* kLoginCookie = "sg_login";

int64_t Now() { return SystemClock::Instance().NowSeconds(); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string UrlDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Response Html(int status, const std::string& title, const std::string& body, bool nav = true) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.headers.push_back({"Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"});
  r.headers.push_back({"X-Frame-Options", "DENY"});
  r.headers.push_back({"Referrer-Policy", "no-referrer"});
  std::string menu = nav ? "<nav><a href=\"/console/\">Overview</a><a href=\"/console/senders\">Top senders</a>"
                           "<a href=\"/console/senders?restricted=1\">Restricted accounts</a>"
                           "<a href=\"/console/rules\">Rules</a>"
                           "<form class=\"inline\" method=\"post\" action=\"/console/logout\">{csrf}"
                           "<button type=\"submit\">Log out</button></form></nav>"
                         : "";
  r.body = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>sendguard: " + HtmlEscape(title) +
           "</title><link rel=\"stylesheet\" href=\"/console/static/console.css\"></head><body>" + menu + "<h1>" +
           HtmlEscape(title) + "</h1>" + body + "</body></html>\n";
  return r;
}

// The page with the session's CSRF token in its forms.
Response Page(const ConsoleSession& s, int status, const std::string& title, const std::string& body) {
  Response r = Html(status, title, body);
  size_t at = r.body.find("{csrf}");
  if (at != std::string::npos) r.body.replace(at, 6, CsrfField(s));
  return r;
}

std::string Cookie(const std::string& name, const std::string& value, int64_t max_age_s) {
  return name + "=" + value + "; Path=/console; Max-Age=" + std::to_string(max_age_s) +
         "; HttpOnly; Secure; SameSite=Strict";
}

Response Asset(const std::string& type, const std::string& body) {
  Response r;
  r.content_type = type;
  r.body = body;
  return r;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int64_t Refusals(const abuse::Signals& s) { return s.content_rejected + s.sender_refusals + s.quota_hits; }

struct SenderRow {
  std::string identity;
  abuse::Signals signals;
  abuse::Level level = abuse::Level::kNone;
};

std::string StateCell(abuse::Level level) {
  std::string name = abuse::LevelName(level);
  return "<td class=\"state-" + name + "\">" + name + "</td>";
}

}  // namespace

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> out;
  std::istringstream in(body);
  std::string pair;
  while (std::getline(in, pair, '&')) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos) continue;
    out[UrlDecode(pair.substr(0, eq))] = UrlDecode(pair.substr(eq + 1));
  }
  return out;
}

Console::Console(Config config, Users users, std::unique_ptr<quota::QuotaStore> store,
                 std::unique_ptr<HistoryRing> history, AccountServices account_services)
    : config_(std::move(config)),
      users_(std::move(users)),
      store_(std::move(store)),
      history_(std::move(history)),
      sessions_(int64_t{config_.http.session_minutes} * 60),
      limiter_(config_.http.login_attempts),
      account_(config_, store_.get(), std::move(account_services)),
      chart_js_(ReadFile(kChartJsPath)) {}

Response Console::Handle(const Request& r) {
  if (r.path == "/console/static/console.js") return Asset("text/javascript; charset=utf-8", kConsoleJs);
  if (r.path == "/console/static/console.css") return Asset("text/css; charset=utf-8", kConsoleCss);
  if (r.path == "/console/static/chart.min.js") {
    return chart_js_.empty() ? TextResponse(404, "libjs-chart.js is not installed\n")
                             : Asset("text/javascript; charset=utf-8", chart_js_);
  }
  if (r.path == "/console/login") return r.method == "POST" ? Login(r) : LoginForm("", 200);
  std::optional<ConsoleSession> s = sessions_.Find(Get(r.cookies, kCookie), Now());
  bool page = r.method == "GET" && r.path.compare(0, 13, "/console/api/") != 0;
  if (!s) return page ? Redirect("/console/login") : TextResponse(401, "log in first\n");
  if (r.method == "POST" && !SecretEquals(Get(ParseForm(r.body), "csrf"), s->csrf)) {
    return TextResponse(403, "missing or wrong CSRF token\n");
  }
  if (r.method == "POST" && r.path == "/console/logout") {
    sessions_.Remove(Get(r.cookies, kCookie));
    Response out = Redirect("/console/login");
    out.headers.push_back({"Set-Cookie", Cookie(kCookie, "", 0)});
    return out;
  }
  if (r.method == "POST" && r.path == "/console/account/suspend") return account_.Change(r, *s, true);
  if (r.method == "POST" && r.path == "/console/account/release") return account_.Change(r, *s, false);
  if (r.method == "POST" && r.path == "/console/account/held") return account_.ActOnHeld(r, *s);
  if (r.method != "GET") return TextResponse(405, "method not allowed\n");
  if (r.path == "/console/" || r.path == "/console") return Overview(*s);
  if (r.path == "/console/api/history") return HistoryJson(r);
  if (r.path == "/console/senders") return Senders(r, *s);
  if (r.path == "/console/account") {
    PageView v = account_.Show(r, *s);
    return Page(*s, v.status, v.title, v.body);
  }
  if (r.path == "/console/rules") return Page(*s, 200, "Rules", RulesPageBody(rules_page_.get(), r.query));
  return TextResponse(404, "not found\n");
}

Response Console::LoginForm(const std::string& error, int status) {
  std::string token = RandomToken();
  Response r = Html(status, "Log in",
                    (error.empty() ? "" : "<p class=\"error\" id=\"login-error\">" + HtmlEscape(error) + "</p>") +
                        "<form method=\"post\" action=\"/console/login\"><input type=\"hidden\" name=\"csrf\" value=\"" +
                        token + "\"><p><label>User <input name=\"user\" id=\"user\" autocomplete=\"username\"></label></p>"
                        "<p><label>Password <input type=\"password\" name=\"password\" id=\"password\" "
                        "autocomplete=\"current-password\"></label></p><p><button type=\"submit\" id=\"login\">Log in"
                        "</button></p></form>",
                    false);
  r.headers.push_back({"Set-Cookie", Cookie(kLoginCookie, token, 600)});
  return r;
}

Response Console::Login(const Request& r) {
  std::map<std::string, std::string> form = ParseForm(r.body);
  std::string expected = Get(r.cookies, kLoginCookie);
  if (expected.empty() || !SecretEquals(Get(form, "csrf"), expected)) {
    return TextResponse(403, "missing or wrong CSRF token\n");
  }
  int64_t now = Now();
  if (!limiter_.Allowed(r.client_ip, now)) {
    SG_LOG(kWarning) << "console: login from " << r.client_ip << " refused: too many failed attempts";
    return LoginForm("Too many failed logins from your address; try again in a few minutes.", 429);
  }
  std::string user = Get(form, "user");
  auto it = users_.find(user);
  if (it == users_.end() || !VerifyPassword(it->second, Get(form, "password"))) {
    limiter_.Failed(r.client_ip, now);
    SG_LOG(kWarning) << "console: failed login for " << Quoted(user) << " from " << r.client_ip;
    return LoginForm("Wrong user or password.", 401);
  }
  SG_LOG(kInfo) << "console: " << user << " logged in from " << r.client_ip;
  Response out = Redirect("/console/");
  out.headers.push_back(
      {"Set-Cookie", Cookie(kCookie, sessions_.Create(user, now), int64_t{config_.http.session_minutes} * 60)});
  return out;
}

Response Console::Overview(const ConsoleSession& s) {
  std::string body = "<p>Signed in as " + HtmlEscape(s.user) + ".</p>";
  for (const char* range : {"hour", "day", "week"}) {
    body += std::string("<h2>Last ") + range + "</h2><canvas id=\"" + (std::string(range) == "hour" ? "history" : range) +
            "\" data-range=\"" + range + "\"></canvas>";
    if (std::string(range) == "hour") body += "<p class=\"error\" id=\"history-error\"></p>";
  }
  body += "<script src=\"/console/static/chart.min.js\"></script><script src=\"/console/static/console.js\"></script>";
  return Page(s, 200, "Overview", body);
}

Response Console::HistoryJson(const Request& r) {
  std::string range = Get(r.query, "range");
  int64_t minutes = range == "week" ? HistoryRing::kMinutes : range == "day" ? 1440 : 60;
  int64_t points = range == "week" ? 168 : range == "day" ? 144 : 60;
  std::string json = "{\"range\":" + Quoted(range.empty() ? "hour" : range) + ",\"series\":[";
  for (size_t i = 0; i < kHistorySeries; ++i) json += (i ? "," : "") + Quoted(kHistorySeriesNames[i]);
  json += "],\"points\":[";
  std::vector<HistoryPoint> pts = history_->Range(Now(), minutes, points);
  for (size_t p = 0; p < pts.size(); ++p) {
    json += (p ? ",{\"t\":" : "{\"t\":") + std::to_string(pts[p].start_s) + ",\"v\":[";
    for (size_t i = 0; i < kHistorySeries; ++i) json += (i ? "," : "") + std::to_string(pts[p].values[i]);
    json += "]}";
  }
  Response out;
  out.content_type = "application/json";
  out.body = json + "]}";
  return out;
}

Response Console::Senders(const Request& r, const ConsoleSession& s) {
  if (!store_) return Page(s, 200, "Top senders", "<p>Quotas are off: sendguard keeps no per-sender data.</p>");
  Result<std::vector<std::string>> keys = store_->RecordKeys("a:");
  if (!keys.ok()) return Page(s, 503, "Top senders", "<p class=\"error\">" + HtmlEscape(keys.status().ToString()) + "</p>");
  bool restricted = Get(r.query, "restricted") == "1";
  std::string q = Get(r.query, "q");
  int64_t now = Now();
  std::vector<SenderRow> rows;
  for (const std::string& key : *keys) {
    std::string id = key.substr(2);
    if (!q.empty() && id.find(q) == std::string::npos) continue;
    Result<abuse::Record> rec = LoadAbuseRecord(store_.get(), key);
    if (!rec.ok()) continue;
    SenderRow row{id, abuse::Measure(*rec, now), abuse::EffectiveLevel(*rec, now)};
    if (!restricted || row.level != abuse::Level::kNone) rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(), [](const SenderRow& a, const SenderRow& b) {
    return a.signals.messages != b.signals.messages ? a.signals.messages > b.signals.messages : a.identity < b.identity;
  });
  size_t page = static_cast<size_t>(std::max(0L, atol(Get(r.query, "page").c_str())));
  std::string body = "<form method=\"get\" action=\"/console/senders\"><input name=\"q\" id=\"q\" value=\"" + HtmlEscape(q) +
                     "\">" + (restricted ? "<input type=\"hidden\" name=\"restricted\" value=\"1\">" : "") +
                     "<button type=\"submit\">Search</button></form><p>" + std::to_string(rows.size()) +
                     " identities; last hour.</p><table id=\"senders\"><tr><th>identity</th><th>messages</th>"
                     "<th>recipients</th><th>distinct recipients</th><th>refusals</th><th>state</th></tr>";
  for (size_t i = page * kPageSize; i < rows.size() && i < (page + 1) * kPageSize; ++i) {
    const SenderRow& row = rows[i];
    body += "<tr><td><a href=\"/console/account?id=" + UrlEncode(row.identity) + "\">" + HtmlEscape(row.identity) +
            "</a></td><td>" + std::to_string(row.signals.messages) + "</td><td>" + std::to_string(row.signals.recipients) +
            "</td><td>" + std::to_string(row.signals.distinct_recipients) + "</td><td>" +
            std::to_string(Refusals(row.signals)) + "</td>" + StateCell(row.level) + "</tr>";
  }
  body += "</table>";
  std::string base = "/console/senders?q=" + UrlEncode(q) + (restricted ? "&amp;restricted=1" : "") + "&amp;page=";
  if (page > 0) body += "<a href=\"" + base + std::to_string(page - 1) + "\">previous</a> ";
  if ((page + 1) * kPageSize < rows.size()) body += "<a href=\"" + base + std::to_string(page + 1) + "\">next</a>";
  return Page(s, 200, restricted ? "Restricted accounts" : "Top senders", body);
}

}  // namespace sendguard::http

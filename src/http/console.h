// http/console.h — the admin console under /console/: login (argon2id users
// file, sessions with Secure/HttpOnly/SameSite=Strict cookies, a login rate
// limit per client address), an overview of messages per minute by action
// and refusals over the last hour/day/week (Chart.js from Debian's
// libjs-chart.js, served from the installed file), top senders with search
// and pages, the restricted (suspended/held/throttled) accounts, and one
// account's page (http/account_page.h); the rules page (http/rules_page.h).
//
// Contract: every page and action but the login form answers a request
// without a valid session with 303 to the login form (pages) or 401 (API
// and POST). Every POST needs the session's CSRF token in the form (403
// without); the login form uses a double-submit token. Changes are made in
// the shared store, with "console:USER" in the identity's history and an
// audit log line, as `sendguard abuse suspend/release` does. Held mail is
// delivered or deleted by the privileged parent, asked through
// AccountServices::held_mail.
// Thread-safety: Handle() is safe for concurrent calls.
#ifndef SENDGUARD_HTTP_CONSOLE_H_
#define SENDGUARD_HTTP_CONSOLE_H_

#include <memory>
#include <string>

#include "config/config.h"
#include "http/account_page.h"
#include "http/history.h"
#include "http/password.h"
#include "http/rules_page.h"
#include "http/server.h"
#include "http/sessions.h"
#include "quota/quota_store.h"

namespace sendguard::http {

constexpr const char* kChartJsPath = "/usr/share/javascript/chart.js/chart.min.js";

class Console {
 public:
  // `store` null: quotas are off, the account pages say so.
  Console(Config config, Users users, std::unique_ptr<quota::QuotaStore> store, std::unique_ptr<HistoryRing> history,
          AccountServices account_services = {});
  Response Handle(const Request& request);
  HistoryRing* history() { return history_.get(); }
  void SetRulesPage(std::unique_ptr<RulesPage> page) { rules_page_ = std::move(page); }  // before serving

 private:
  Response Login(const Request& r);
  Response LoginForm(const std::string& error, int status);
  Response Overview(const ConsoleSession& s);
  Response HistoryJson(const Request& r);
  Response Senders(const Request& r, const ConsoleSession& s);

  const Config config_;
  const Users users_;
  std::unique_ptr<quota::QuotaStore> store_;
  std::unique_ptr<HistoryRing> history_;
  std::unique_ptr<RulesPage> rules_page_;  // http/rules_page.h
  SessionTable sessions_;
  LoginLimiter limiter_;
  AccountPage account_;
  std::string chart_js_;  // "" when libjs-chart.js is not installed
};

// application/x-www-form-urlencoded -> fields (bounded by the server's body cap).
std::map<std::string, std::string> ParseForm(const std::string& body);
std::string HtmlEscape(const std::string& s);

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_CONSOLE_H_

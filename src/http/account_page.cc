// http/account_page.cc — one account: state, quota windows, decisions, held
// mail, history, and its buttons.
#include "http/account_page.h"

#include <algorithm>
#include <cstdio>

#include "abuse/ladder.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/console.h"
#include "http/console_page.h"
#include "quota/identity.h"
#include "quota/units.h"
#include "session/abuse_admin.h"
#include "session/audit_log.h"

namespace sendguard::http {
namespace {

int64_t Now() { return SystemClock::Instance().NowSeconds(); }

std::string Td(const std::string& text, const std::string& cls = "") {
  return (cls.empty() ? "<td>" : "<td class=\"" + cls + "\">") + HtmlEscape(text) + "</td>";
}

std::string Joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string Recipients(const abuse::Decision& d) {
  std::string out = Joined(d.recipients, ", ");
  int64_t more = d.recipient_count - static_cast<int64_t>(d.recipients.size());
  return more > 0 ? out + " (+" + std::to_string(more) + " more)" : out;
}

std::string Score(double score) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.2f", score);
  return buf;
}

std::string WindowRows(const char* scope, const std::vector<quota::LimitUsage>& usage, int64_t now) {
  std::string rows;
  for (const quota::LimitUsage& u : usage) {
    int64_t used = u.committed + u.pending;
    std::string frees = u.frees_at_seconds > now ? "full: frees in " + TimeLeft(u.frees_at_seconds, now) + " (" +
                                                       quota::FormatRetryTime(u.frees_at_seconds, now) + ")"
                                                 : "fits now";
    rows += "<tr>" + Td(scope) + Td(u.limit.Describe()) + Td(std::to_string(u.limit.limit)) +
            Td(std::to_string(used), "used") + Td(std::to_string(u.committed)) + Td(std::to_string(u.pending)) +
            Td(frees, "frees") + "</tr>";
  }
  return rows;
}

std::string HeldForm(const std::string& identity, const std::string& queue_id, const char* action,
                     const ConsoleSession& s) {
  return "<form class=\"inline\" method=\"post\" action=\"/console/account/held\">" + CsrfField(s) +
         "<input type=\"hidden\" name=\"id\" value=\"" + HtmlEscape(identity) +
         "\"><input type=\"hidden\" name=\"queue_id\" value=\"" + HtmlEscape(queue_id) +
         "\"><input type=\"hidden\" name=\"action\" value=\"" + action + "\"><button type=\"submit\" id=\"" + action +
         "-" + HtmlEscape(queue_id) + "\">" + (std::string(action) == "deliver" ? "Deliver" : "Delete") +
         "</button></form>";
}

const abuse::Decision* DecisionFor(const std::vector<abuse::Decision>& decisions, const std::string& queue_id) {
  for (auto it = decisions.rbegin(); it != decisions.rend(); ++it) {
    if (it->queue_id == queue_id) return &*it;
  }
  return nullptr;
}

// Spaces and control characters would change the request's fields on the
// parent's line; anything else is for the parent to judge.
bool FitsOnTheLine(const std::string& s, bool spaces_allowed) {
  return !s.empty() && std::none_of(s.begin(), s.end(), [spaces_allowed](unsigned char c) {
    return c < 0x20 || c == 0x7f || (c == ' ' && !spaces_allowed);
  });
}

int64_t Refusals(const abuse::Signals& s) { return s.content_rejected + s.sender_refusals + s.quota_hits; }

std::string SignalsTable(const abuse::Signals& sig) {
  return "<h2>Last hour against its baseline</h2><table><tr><th>messages</th><td>" + std::to_string(sig.messages) +
         "</td><td>baseline " + std::to_string(sig.baseline_messages).substr(0, 6) + "/h</td></tr><tr><th>recipients</th><td>" +
         std::to_string(sig.recipients) + "</td><td>baseline " + std::to_string(sig.baseline_recipients).substr(0, 6) +
         "/h</td></tr><tr><th>distinct recipients</th><td>" + std::to_string(sig.distinct_recipients) +
         "</td><td></td></tr><tr><th>client addresses</th><td>" + std::to_string(sig.client_addresses) +
         "</td><td></td></tr><tr><th>refusals</th><td>" + std::to_string(Refusals(sig)) + "</td><td>content " +
         std::to_string(sig.content_rejected) + ", sender " + std::to_string(sig.sender_refusals) + ", quota " +
         std::to_string(sig.quota_hits) + "</td></tr></table>";
}

std::string HistoryTable(const abuse::Record& rec) {
  std::string body = "<h2>History</h2><table id=\"history-table\"><tr><th>when</th><th>what</th><th>condition</th>"
                     "<th>by</th><th>detail</th></tr>";
  for (auto it = rec.history.rbegin(); it != rec.history.rend(); ++it) {
    body += "<tr>" + Td(When(it->at)) + Td(it->what) + Td(it->condition) + Td(it->by) + Td(it->detail) + "</tr>";
  }
  return body + "</table>";
}

}  // namespace

std::string TimeLeft(int64_t frees_at, int64_t now) {
  int64_t left = frees_at - now;
  if (frees_at == 0 || left <= 0) return "now";
  std::string out;
  if (left >= 86400) out += std::to_string(left / 86400) + "d ";
  if (left >= 3600) out += std::to_string(left % 86400 / 3600) + "h ";
  if (left >= 60) out += std::to_string(left % 3600 / 60) + "m ";
  return out + std::to_string(left % 60) + "s";
}

std::string QuotaWindowsTable(const quota::QuotaView& view, const std::string& domain, int64_t now) {
  std::string body = "<p>Quota class: <span id=\"quota-class\">" + HtmlEscape(view.class_name) + "</span> (" +
                     HtmlEscape(view.class_source == "override" ? "override set from the CLI"
                                                                : "policy match: " + view.class_source) +
                     ")</p>";
  if (view.user_usage.empty() && view.domain_usage.empty()) return body + "<p>No windowed limits.</p>";
  body += "<table id=\"quota-table\"><tr><th>counts</th><th>window</th><th>limit</th><th>used</th><th>committed</th>"
          "<th>pending</th><th>frees up</th></tr>";
  body += WindowRows("this account", view.user_usage, now);
  body += WindowRows(("domain " + domain).c_str(), view.domain_usage, now);
  return body + "</table>";
}

std::string DecisionsTable(const std::vector<abuse::Decision>& decisions) {
  if (decisions.empty()) return "<p id=\"no-decisions\">No decision recorded yet.</p>";
  std::string body = "<table id=\"decisions-table\"><tr><th>when</th><th>queue id</th><th>from</th><th>recipients</th>"
                     "<th>action</th><th>checks</th><th>score and rules</th><th>held because</th><th>reply</th></tr>";
  for (auto it = decisions.rbegin(); it != decisions.rend(); ++it) {
    const abuse::Decision& d = *it;
    body += "<tr>" + Td(When(d.at)) + Td(d.queue_id.empty() ? "NOQUEUE" : d.queue_id) + Td(d.from.empty() ? "<>" : d.from) +
            Td(Recipients(d)) + Td(d.action, "action-" + d.action) + Td(d.checks) +
            Td(Score(d.score) + (d.rules.empty() ? "" : ": " + Joined(d.rules, ", "))) + Td(d.hold_reason) +
            Td(d.reply) + "</tr>";
  }
  return body + "</table>";
}

std::string HeldTable(const std::string& identity, const std::vector<std::string>& held,
                      const std::vector<abuse::Decision>& decisions, const ConsoleSession& s) {
  std::string body = "<table id=\"held-table\"><tr><th>queue id</th><th>when</th><th>from</th><th>recipients</th>"
                     "<th>held because</th><th></th></tr>";
  for (auto it = held.rbegin(); it != held.rend(); ++it) {
    const abuse::Decision* d = DecisionFor(decisions, *it);
    body += "<tr id=\"held-" + HtmlEscape(*it) + "\">" + Td(*it) + Td(d ? When(d->at) : "") + Td(d ? d->from : "") +
            Td(d ? Recipients(*d) : "") + Td(d ? d->hold_reason : "") + "<td>" + HeldForm(identity, *it, "deliver", s) +
            " " + HeldForm(identity, *it, "delete", s) + "</td></tr>";
  }
  return body + "</table>";
}

AccountPage::AccountPage(const Config& config, quota::QuotaStore* store, AccountServices services)
    : config_(config), store_(store), services_(std::move(services)) {}

std::string AccountPage::QuotaSection(const std::string& id, int64_t now) const {
  std::string head = "<h2>Quota windows</h2>";
  if (!services_.policy) return head + "<p>No quota policy loaded.</p>";
  Result<quota::Identity> identity = quota::Identity::FromCliArgument(id, config_.quota);
  if (!identity.ok()) return head + "<p class=\"error\">" + HtmlEscape(identity.status().message()) + "</p>";
  quota::QuotaView view;
  Status st = quota::ReadQuotaView(*services_.policy, *store_, *identity, now, &view);
  if (!st.ok()) return head + "<p class=\"error\">" + HtmlEscape(st.ToString()) + "</p>";
  return head + QuotaWindowsTable(view, identity->domain(), now);
}

PageView AccountPage::Show(const Request& r, const ConsoleSession& s) const {
  std::string id = Get(r.query, "id");
  if (!store_) return {200, "Account", "<p>Quotas are off: sendguard keeps no per-sender data.</p>"};
  if (id.empty()) return {400, "Account", "<p class=\"error\">which account? (?id=USER)</p>"};
  Result<abuse::Record> rec = LoadAbuseRecord(store_, AbuseRecordKey(config_, id));
  if (!rec.ok()) return {503, "Account", "<p class=\"error\">" + HtmlEscape(rec.status().ToString()) + "</p>"};
  int64_t now = Now();
  abuse::Level level = abuse::EffectiveLevel(*rec, now);
  std::string name = abuse::LevelName(level);
  std::string hidden = CsrfField(s) + "<input type=\"hidden\" name=\"id\" value=\"" + HtmlEscape(id) + "\">";
  std::string body =
      "<p>State: <span id=\"state\" class=\"state-" + name + "\">" + name + "</span>" +
      (level == abuse::Level::kNone ? "" : " (" + HtmlEscape(rec->state.condition) + ", " + When(rec->state.until) + ")") +
      "</p><form class=\"inline\" method=\"post\" action=\"/console/account/suspend\">" + hidden +
      "<button type=\"submit\" id=\"suspend\">Suspend</button></form> "
      "<form class=\"inline\" method=\"post\" action=\"/console/account/release\">" + hidden +
      "<button type=\"submit\" id=\"release\">Release</button></form>" +
      SignalsTable(abuse::Measure(*rec, now)) + QuotaSection(id, now);
  body += "<h2>Held messages</h2><p>" + std::to_string(rec->held.size()) + " in the hold queue." +
          (services_.held_mail || rec->held.empty()
               ? ""
               : " Deliver or delete them with <code>sendguard abuse release " + HtmlEscape(id) +
                     " --deliver-held|--delete-held</code>.") + "</p>";
  std::vector<abuse::Decision> decisions = abuse::DecodeDecisions(rec->decisions);
  if (services_.held_mail && !rec->held.empty()) body += HeldTable(id, rec->held, decisions, s);
  body += "<h2>Recent decisions</h2>" +
          (config_.abuse.policy_file.empty() ? "<p>Decisions are kept with the abuse state: set [abuse] policy_file.</p>"
                                             : DecisionsTable(decisions)) +
          HistoryTable(*rec);
  return {200, "Account " + id, body};
}

Response AccountPage::Change(const Request& r, const ConsoleSession& s, bool suspend) const {
  std::string id = Get(ParseForm(r.body), "id");
  if (!store_ || id.empty()) return TextResponse(400, "no such account\n");
  int64_t now = Now();
  std::string by = "console:" + s.user;
  const char* reason = suspend ? "suspended in the console" : "";
  abuse::Change change;
  Result<abuse::Record> saved = ChangeAbuseRecord(store_, AbuseRecordKey(config_, id), [&](abuse::Record* rec) {
    return change = suspend ? abuse::Suspend(rec, abuse::Level::kSuspended, now, 0, reason, by)
                            : abuse::Release(rec, now, by);
  });
  if (!saved.ok()) return TextResponse(503, "the store did not answer: " + saved.status().ToString() + "\n");
  Audit(abuse::FromChange(id, change, now, by, reason));
  return Redirect("/console/account?id=" + UrlEncode(id));
}

Response AccountPage::ActOnHeld(const Request& r, const ConsoleSession& s) const {
  std::map<std::string, std::string> form = ParseForm(r.body);
  HeldMailAsk ask{Get(form, "id"), Get(form, "queue_id"), Get(form, "action") == "deliver", "console:" + s.user};
  std::string action = Get(form, "action");
  if (!services_.held_mail) return TextResponse(503, "held mail is released with `sendguard abuse release` here\n");
  if ((action != "deliver" && action != "delete") || !FitsOnTheLine(ask.identity, true) ||
      !FitsOnTheLine(ask.queue_id, false) || !FitsOnTheLine(s.user, false)) {
    return TextResponse(400, "a held-mail action takes id, queue_id and action=deliver|delete\n");
  }
  Result<std::string> done = services_.held_mail(ask);
  if (!done.ok()) {
    Status::Code code = done.status().code();
    bool refused = code == Status::Code::kInvalidArgument || code == Status::Code::kNotFound;
    SG_LOG(kWarning) << "console: " << s.user << " " << action << " held " << ask.queue_id << " of " << ask.identity
                     << " " << (refused ? "refused" : "failed") << ": " << done.status().message();
    return TextResponse(refused ? 403 : 503, done.status().message() + "\n");
  }
  return Redirect("/console/account?id=" + UrlEncode(ask.identity));
}

}  // namespace sendguard::http

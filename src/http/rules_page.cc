// http/rules_page.cc — the rules page's body.
#include "http/rules_page.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

#include "core/strings.h"
#include "http/console.h"
#include "http/console_page.h"

namespace sendguard::http {
namespace {

struct Row {
  const rules::RuleInfo* rule;
  uint64_t hits = 0;
  bool counted = false;  // the name has an entry in the hit table
};

std::string Hex(uint64_t v) {
  char buf[20];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Score(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string Kind(const rules::RuleInfo& r) {
  std::string kind = rules::TargetName(r.target);
  return r.header.empty() ? kind : kind + " " + r.header;
}

std::string Cell(const std::string& text, const std::string& cls = "") {
  return (cls.empty() ? "<td>" : "<td class=\"" + cls + "\">") + HtmlEscape(text) + "</td>";
}

std::string RowHtml(const Row& row) {
  const rules::RuleInfo& r = *row.rule;
  return "<tr data-rule=\"" + HtmlEscape(r.name) + "\">" + Cell(r.name, "name") + Cell(Kind(r)) + Cell(Score(r.score)) +
         Cell(row.counted ? std::to_string(row.hits) : "not counted", "hits") + Cell(r.describe) +
         Cell(r.file + ":" + std::to_string(r.line), "where") + Cell(r.state) + "</tr>";
}

std::string Hidden(const std::string& name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + HtmlEscape(value) + "\">";
}

// A page link as a GET form, so the browser encodes the search text.
std::string PageButton(const std::string& q, const std::string& sort, size_t page, const std::string& id,
                       const std::string& label) {
  return "<form class=\"inline\" method=\"get\" action=\"/console/rules\">" + Hidden("q", q) + Hidden("sort", sort) +
         Hidden("page", std::to_string(page)) + "<button type=\"submit\" id=\"" + id + "\">" + label + "</button></form> ";
}

std::string SearchForm(const std::string& q, const std::string& sort) {
  auto option = [&sort](const std::string& value, const std::string& label) {
    return "<option value=\"" + value + "\"" + (sort == value ? " selected" : "") + ">" + label + "</option>";
  };
  return "<form method=\"get\" action=\"/console/rules\"><label>Name <input name=\"q\" id=\"q\" value=\"" +
         HtmlEscape(q) + "\"></label> <label>Sort by <select name=\"sort\" id=\"sort\">" + option("hits", "hits") +
         option("name", "name") + "</select></label> <button type=\"submit\" id=\"search\">Search</button></form>";
}

}  // namespace

RulesPage::RulesPage(std::shared_ptr<const rules::RuleSet> rules, const metrics::RuleHitTable* hits)
    : rules_(std::move(rules)), hits_(hits) {}

std::string RulesPage::LoadSection() const {
  if (hits_ == nullptr) return "<p id=\"rule-load\">The daemon keeps no record of its rule loads here.</p>";
  metrics::RuleLoad load = hits_->Load();
  std::string out = "<div id=\"rule-load\"><p>Rule set version <code id=\"rules-version\">" + Hex(load.version) +
                    "</code>, " + std::to_string(load.rules) + " rules.</p><p>";
  if (load.at_s == 0) return out + "No load recorded yet.</p></div>";
  out += (load.at_start ? "Loaded at start: " : "Last reload: ") + std::string("<span id=\"reload-time\">") +
         UtcTime(load.at_s) + "</span>, ";
  if (load.ok) return out + "<span id=\"reload-result\">ok</span>.</p></div>";
  return out + "<span id=\"reload-result\" class=\"error\">failed</span>:</p><pre id=\"reload-error\" class=\"error\">" +
         HtmlEscape(load.error) + "</pre><p id=\"reload-kept\">The previous rules (version " + Hex(load.version) +
         ") are still the ones loaded; they are listed below.</p></div>";
}

std::string RulesPage::Body(const std::map<std::string, std::string>& query) const {
  std::string body = LoadSection();
  if (!rules_) return body + "<p>Content rules are off: no [rules] paths are configured.</p>";
  std::string q = Get(query, "q");
  std::string sort = Get(query, "sort") == "name" ? "name" : "hits";
  std::string needle = Lower(q);
  std::vector<Row> rows;
  for (const rules::RuleInfo& r : rules_->rule_infos()) {
    if (!needle.empty() && Lower(r.name).find(needle) == std::string::npos) continue;
    Row row{&r};
    if (hits_ != nullptr) row.counted = hits_->Hits(r.name, &row.hits);
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(), [&sort](const Row& a, const Row& b) {
    if (sort == "hits" && a.hits != b.hits) return a.hits > b.hits;
    return a.rule->name < b.rule->name;
  });
  size_t pages = std::max<size_t>(1, (rows.size() + kRulesPerPage - 1) / kRulesPerPage);
  size_t page = std::min<size_t>(pages - 1, static_cast<size_t>(std::max(0L, atol(Get(query, "page").c_str()))));
  body += "<p>Hits: messages that matched the rule since sendguard started, all workers together.";
  if (hits_ != nullptr && hits_->Unregistered() > 0) {
    body += " <span class=\"error\" id=\"unattributed\">" + std::to_string(hits_->Unregistered()) +
            " hits could not be attributed: the hit table is full (" + std::to_string(hits_->max_names()) +
            " names since the start) until sendguard restarts.</span>";
  }
  body += "</p>" + SearchForm(q, sort) + "<p id=\"rules-count\">" + std::to_string(rows.size()) + " of " +
          std::to_string(rules_->rule_infos().size()) + " rules; page " + std::to_string(page + 1) + " of " +
          std::to_string(pages) + ".</p><table id=\"rules\"><tr><th>name</th><th>kind</th><th>score</th><th>hits</th>"
          "<th>description</th><th>defined at</th><th>state</th></tr>";
  for (size_t i = page * kRulesPerPage; i < rows.size() && i < (page + 1) * kRulesPerPage; ++i) body += RowHtml(rows[i]);
  body += "</table>";
  if (page > 0) body += PageButton(q, sort, page - 1, "previous", "previous");
  if (page + 1 < pages) body += PageButton(q, sort, page + 1, "next", "next");
  return body;
}

std::string RulesPageBody(const RulesPage* page, const std::map<std::string, std::string>& query) {
  return page ? page->Body(query) : "<p>The rules page is not set up in this process.</p>";
}

}  // namespace sendguard::http

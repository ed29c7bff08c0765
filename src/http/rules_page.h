// http/rules_page.h — the console's rules page (/console/rules): the content
// rules this daemon runs (name, kind, score, description, file:line where
// defined, whether a scan computes it), how many messages hit each one since
// the daemon started (all workers together: metrics/rule_hits.h), the rule
// set's version and the last load of the rules with its result. A failed
// reload shows its error (file:line) and says that the previous rules are
// the ones still loaded, and listed.
//
// Query: q (a case-insensitive part of the name), sort ("hits", the
// default, most first; or "name"), page (from 0; kRulesPerPage rows each).
// Paging and sorting are plain GET forms: no script needed. Every text from
// the rule files is HTML-escaped.
// Contract: RulesPageBody() returns the page's body; the console wraps it
// (menu, login check, security headers); `page` null says the page is not
// set up.
// Thread-safety: a RulesPage is immutable; Body() may run on any number of
// threads (the hit table is read with atomics).
#ifndef SENDGUARD_HTTP_RULES_PAGE_H_
#define SENDGUARD_HTTP_RULES_PAGE_H_

#include <map>
#include <memory>
#include <string>

#include "metrics/rule_hits.h"
#include "rules/rule_set.h"

namespace sendguard::http {

constexpr size_t kRulesPerPage = 100;

class RulesPage {
 public:
  // `rules` null: no content scan. `hits` null: counts are not kept.
  RulesPage(std::shared_ptr<const rules::RuleSet> rules, const metrics::RuleHitTable* hits);
  std::string Body(const std::map<std::string, std::string>& query) const;

 private:
  std::string LoadSection() const;

  const std::shared_ptr<const rules::RuleSet> rules_;
  const metrics::RuleHitTable* const hits_;
};

std::string RulesPageBody(const RulesPage* page, const std::map<std::string, std::string>& query);

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_RULES_PAGE_H_

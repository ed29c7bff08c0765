// http/account_page.h — the console's page of one account
// (/console/account?id=USER) and its actions: the abuse state, the last hour
// against its baseline, every quota window of its class (and of its
// domain): limit, used (committed + pending), time until it frees up; its
// recent decisions with their reasons; its held messages with deliver and
// delete buttons; suspend / release; its abuse history.
//
// Sources: everything comes from the shared store the workers write (so
// every worker process and, with Redis, every relay is seen). The recent
// decisions are the bounded list kept in the identity's abuse record
// (abuse/decisions.h), not the decision log's tail: the log is optional,
// per relay and rotated, while the record is written with the quota commit
// anyway (no extra store round trip per message). The held messages are the
// record's held list: mail the abuse ladder's hold level or a quarantine put
// in the Postfix hold queue.
//
// Delivering or deleting held mail needs root (postsuper): the page asks
// the privileged parent through `AccountServices::held_mail`, which checks
// the queue id and that it is this account's held mail, acts and logs the
// audit line naming the console user (master/held_mail_service.h). Without
// it the page says how to do it with `sendguard abuse release`.
//
// Contract: Show() renders the page body (the console adds the frame);
// Change() and ActOnHeld() are POST actions whose CSRF token the console has
// checked; they answer 303 back to the page, 4xx for a refused request, 503
// when the store or the parent cannot answer.
// Thread-safety: safe for concurrent calls (the store's and the sender's).
#ifndef SENDGUARD_HTTP_ACCOUNT_PAGE_H_
#define SENDGUARD_HTTP_ACCOUNT_PAGE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "abuse/decisions.h"
#include "config/config.h"
#include "http/server.h"
#include "http/sessions.h"
#include "quota/quota_policy.h"
#include "quota/quota_store.h"
#include "quota/quota_view.h"

namespace sendguard::http {

struct HeldMailAsk {
  std::string identity;
  std::string queue_id;
  bool deliver = false;
  std::string by;  // "console:USER"
};

// What the parent answered: ok with a text, or a refusal
// (InvalidArgument / NotFound) or failure (other codes) with its reason.
using HeldMailSender = std::function<Result<std::string>(const HeldMailAsk&)>;

struct AccountServices {
  std::shared_ptr<const quota::QuotaPolicy> policy;  // null: no quota windows
  HeldMailSender held_mail;                          // empty: no held-mail buttons
};

struct PageView {
  int status = 200;
  std::string title;
  std::string body;
};

class AccountPage {
 public:
  // `store` (owned by the console, may be null: quotas off) outlives this.
  AccountPage(const Config& config, quota::QuotaStore* store, AccountServices services);

  PageView Show(const Request& r, const ConsoleSession& s) const;
  Response Change(const Request& r, const ConsoleSession& s, bool suspend) const;
  Response ActOnHeld(const Request& r, const ConsoleSession& s) const;

 private:
  std::string QuotaSection(const std::string& id, int64_t now) const;

  const Config& config_;
  quota::QuotaStore* store_;
  AccountServices services_;
};

// The page's tables (pure; tested on their own).
std::string QuotaWindowsTable(const quota::QuotaView& view, const std::string& domain, int64_t now);
std::string DecisionsTable(const std::vector<abuse::Decision>& decisions);
std::string HeldTable(const std::string& identity, const std::vector<std::string>& held,
                      const std::vector<abuse::Decision>& decisions, const ConsoleSession& s);
// "3m 20s" until `frees_at` ("now" when it is 0 or past).
std::string TimeLeft(int64_t frees_at, int64_t now);

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_ACCOUNT_PAGE_H_

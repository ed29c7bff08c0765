// master/alert_mailer.h — the parent sends the abuse desk's mails.
//
// Contract: a worker hands an alert over its channel ("alert-mail SUBJECT\n
// BODY"); StartAlertMail() forks a short-lived child that runs as
// daemon.user and pipes the mail to sendmail(1) (notify/abuse_mail.h), so
// neither a milter thread nor the parent's loop ever waits for it, and
// sendmail's own set-group-id helper (Postfix's postdrop) works: workers run
// with PR_SET_NO_NEW_PRIVS, which would stop it. At most kMaxMailers mails
// are in flight; beyond that an alert mail is dropped and logged (the
// webhook outbox is the channel that never loses one). The parent reaps the
// children like any other.
// Thread-safety: the parent's single thread only.
#ifndef SENDGUARD_MASTER_ALERT_MAILER_H_
#define SENDGUARD_MASTER_ALERT_MAILER_H_

#include <sys/types.h>

#include <set>
#include <string>

#include "config/config.h"
#include "proc/privileges.h"

namespace sendguard {

constexpr size_t kMaxMailers = 4;

// `message`: what followed "alert-mail " on the channel. `running` holds the
// mailers' pids (the caller erases them when it reaps them).
void StartAlertMail(const Config& config, const proc::Account& account, const std::string& message,
                    const std::vector<int>& close_in_child, std::set<pid_t>* running);

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_ALERT_MAILER_H_

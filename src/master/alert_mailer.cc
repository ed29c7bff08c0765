// master/alert_mailer.cc — one forked child per alert mail.
#include "master/alert_mailer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "notify/abuse_mail.h"

namespace sendguard {
namespace {

notify::MailOptions MailOptionsOf(const Config& c) {
  notify::MailOptions o;
  o.sendmail = c.abuse.sendmail;
  o.from = c.abuse.alert_mail_from;
  o.to = c.abuse.alert_mail_to;
  if (!c.abuse.postfix_config_dir.empty()) o.sendmail_args = {"-C", c.abuse.postfix_config_dir};
  return o;
}

[[noreturn]] void MailAndExit(const Config& config, const proc::Account& account, const std::string& message) {
  size_t nl = message.find('\n');
  std::string subject = message.substr(0, nl);
  std::string body = nl == std::string::npos ? "" : message.substr(nl + 1);
  Status s = proc::BecomeAccount(account);
  if (s.ok()) s = notify::SendAbuseMail(MailOptionsOf(config), subject, body);
  if (!s.ok()) SG_LOG(kError) << "abuse: alert mail '" << subject << "' not sent: " << s.ToString();
  _exit(s.ok() ? 0 : 1);
}

}  // namespace

void StartAlertMail(const Config& config, const proc::Account& account, const std::string& message,
                    const std::vector<int>& close_in_child, std::set<pid_t>* running) {
  if (config.abuse.alert_mail_to.empty()) return;
  if (running->size() >= kMaxMailers) {
    SG_LOG(kError) << "abuse: " << running->size() << " alert mails still in flight; dropped: "
                   << message.substr(0, message.find('\n'));
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    for (int fd : close_in_child) close(fd);
    MailAndExit(config, account, message);
  }
  if (pid < 0) {
    SG_LOG(kError) << "abuse: cannot start an alert mail: fork: " << strerror(errno);
    return;
  }
  running->insert(pid);
}

}  // namespace sendguard

// session/held_mail.cc — postsuper and postqueue for held mail.
#include "session/held_mail.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "abuse/signals.h"
#include "core/clock.h"
#include "core/log.h"
#include "session/abuse_admin.h"
#include "session/audit_log.h"

namespace sendguard {
namespace {

// Runs a Postfix command-line tool with the configured config directory.
bool RunPostfixTool(const Config& c, const std::string& tool, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/sbin/" + tool};
  if (!c.abuse.postfix_config_dir.empty()) argv.insert(argv.end(), {"-c", c.abuse.postfix_config_dir});
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  int status = 0;
  return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

bool IsQueueId(const std::string& id) {
  return id.size() >= 5 && id.size() <= 32 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return isascii(c) && isalnum(c); });
}

Status RunHeldMailTool(const Config& c, bool deliver, const std::vector<std::string>& ids) {
  if (ids.empty()) return Status::Ok();
  std::vector<std::string> args;
  for (const std::string& id : ids) {
    if (!IsQueueId(id)) return Status::InvalidArgument("'" + id + "' is not a Postfix queue id");
    args.insert(args.end(), {deliver ? "-H" : "-d", id});
  }
  if (!RunPostfixTool(c, "postsuper", args)) {
    return Status::Internal(std::string("postsuper ") + (deliver ? "-H" : "-d") + " failed");
  }
  std::string failed;
  for (const std::string& id : ids) {
    if (deliver && !RunPostfixTool(c, "postqueue", {"-i", id})) failed += " " + id;
  }
  if (!failed.empty()) return Status::Internal("released, but postqueue -i failed for" + failed);
  return Status::Ok();
}

abuse::AuditEntry HeldMailEntry(const std::string& user, bool deliver, const std::vector<std::string>& ids,
                                const std::string& by, int64_t now, const Status& result) {
  abuse::AuditEntry e;
  e.time = now;
  e.identity = user;
  e.action = deliver ? "deliver-held" : "delete-held";
  e.by = by;
  e.condition = "manual";
  e.queue_ids = ids;
  e.result = result.ok() ? "ok" : result.ToString();
  return e;
}

Result<std::string> ActOnHeldMessage(const Config& c, quota::QuotaStore* store, const std::string& user,
                                     const std::string& queue_id, bool deliver, const std::string& by) {
  if (!IsQueueId(queue_id)) return Status::InvalidArgument("'" + queue_id + "' is not a Postfix queue id");
  std::string key = AbuseRecordKey(c, user);
  Result<abuse::Record> record = LoadAbuseRecord(store, key);
  if (!record.ok()) return record.status();
  if (std::find(record->held.begin(), record->held.end(), queue_id) == record->held.end()) {
    return Status::NotFound(queue_id + " is not held mail of " + user);
  }
  Status ran = RunHeldMailTool(c, deliver, {queue_id});
  Audit(HeldMailEntry(user, deliver, {queue_id}, by, SystemClock::Instance().NowSeconds(), ran));
  if (!ran.ok()) return ran;
  Result<abuse::Record> saved = ChangeAbuseRecord(store, key, [&](abuse::Record* r) {
    abuse::TakeHeld(r, queue_id);
    return abuse::Change();
  });
  if (!saved.ok()) return Status::Unavailable("done, but the held list was not updated: " + saved.status().ToString());
  return std::string(deliver ? "released " : "deleted ") + queue_id;
}

}  // namespace sendguard

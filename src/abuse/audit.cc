// abuse/audit.cc — audit entries as JSON and as log words.
#include "abuse/audit.h"

#include <sstream>

#include "abuse/alert.h"
#include "core/strings.h"

namespace sendguard::abuse {
namespace {

std::string Until(const AuditEntry& e) {
  if (e.to == Level::kNone) return "-";
  return e.until == 0 ? "manual" : std::to_string(e.until);
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

AuditEntry FromChange(const std::string& identity, const Change& change, int64_t now, const std::string& by,
                      const std::string& reason) {
  AuditEntry e;
  e.time = now;
  e.identity = identity;
  e.action = change.what;
  e.by = by;
  e.condition = change.condition;
  e.from = change.from;
  e.to = change.to;
  e.until = change.to == Level::kNone ? 0 : change.until;
  e.reason = reason;
  e.signals = change.signals;
  return e;
}

std::string AuditJson(const AuditEntry& e, const std::string& relay) {
  std::ostringstream o;
  o << "{\"type\": \"sendguard.audit\", \"time\": " << e.time << ", \"relay\": " << Quoted(relay)
    << ", \"identity\": " << Quoted(e.identity) << ", \"action\": " << Quoted(e.action)
    << ", \"by\": " << Quoted(e.by) << ", \"condition\": " << Quoted(e.condition)
    << ", \"from\": " << Quoted(LevelName(e.from)) << ", \"to\": " << Quoted(LevelName(e.to))
    << ", \"until\": " << e.until << ", \"reason\": " << Quoted(e.reason) << ", \"queue_ids\": [";
  for (size_t i = 0; i < e.queue_ids.size(); ++i) o << (i ? ", " : "") << Quoted(e.queue_ids[i]);
  o << "], \"result\": " << Quoted(e.result);
  if (e.signals) o << ", \"signals\": " << SignalsJson(*e.signals);
  o << "}";
  return o.str();
}

std::string AuditText(const AuditEntry& e) {
  std::ostringstream o;
  o << "identity=" << e.identity << " action=" << e.action << " by=" << e.by
    << " condition=" << OrDash(e.condition) << " from=" << LevelName(e.from) << " to=" << LevelName(e.to)
    << " until=" << Until(e) << " queue_ids=" << OrDash(Join(e.queue_ids, ","));
  if (!e.reason.empty()) o << " reason=" << Quoted(e.reason);
  if (e.result != "ok") o << " result=" << Quoted(e.result);
  if (e.signals) o << " " << SignalsText(*e.signals);
  return o.str();
}

}  // namespace sendguard::abuse

// session/audit_log.cc — the per-process audit sink.
#include "session/audit_log.h"

#include <unistd.h>

#include "core/log.h"

namespace sendguard {
namespace {

AuditSink& Sink() {
  static AuditSink sink;
  return sink;
}

constexpr char kPrefix[] = "{\"type\": \"sendguard.audit\", ";

}  // namespace

void SetAuditSink(AuditSink sink) { Sink() = std::move(sink); }

void Audit(const abuse::AuditEntry& entry) {
  if (entry.result == "ok") SG_LOG(kWarning) << "abuse: " << abuse::AuditText(entry);
  else SG_LOG(kError) << "abuse: " << abuse::AuditText(entry);
  if (Sink()) Sink()(abuse::AuditJson(entry, RelayName()));
}

bool IsAuditLine(const std::string& line) {
  return line.compare(0, sizeof(kPrefix) - 1, kPrefix) == 0 && line.back() == '}' &&
         line.find('\n') == std::string::npos;
}

std::string RelayName() {
  char host[256] = {0};
  return gethostname(host, sizeof(host) - 1) == 0 ? host : "unknown";
}

}  // namespace sendguard

// abuse/alert.cc — alert payloads.
#include "abuse/alert.h"

#include <cstdio>
#include <sstream>

#include "core/strings.h"

namespace sendguard::abuse {

std::string SignalsJson(const Signals& s) {
  std::ostringstream o;
  o << "{\"messages\": " << s.messages << ", \"recipients\": " << s.recipients
    << ", \"distinct_recipients\": " << s.distinct_recipients << ", \"distinct_domains\": " << s.distinct_domains
    << ", \"client_addresses\": " << s.client_addresses << ", \"content_tagged\": " << s.content_tagged
    << ", \"content_quarantined\": " << s.content_quarantined << ", \"content_rejected\": " << s.content_rejected
    << ", \"sender_refusals\": " << s.sender_refusals << ", \"quota_hits\": " << s.quota_hits
    << ", \"baseline_messages_per_hour\": " << s.baseline_messages
    << ", \"baseline_recipients_per_hour\": " << s.baseline_recipients << ", \"baseline_hours\": " << s.baseline_hours
    << "}";
  return o.str();
}

std::string AlertJson(const std::string& identity, const Change& c, const Record& r, const std::string& relay,
                      int64_t now) {
  std::ostringstream o;
  o << "{\"type\": \"sendguard.abuse\", \"identity\": " << Quoted(identity) << ", \"action\": " << Quoted(c.what)
    << ", \"condition\": " << Quoted(c.condition) << ", \"from\": " << Quoted(LevelName(c.from))
    << ", \"to\": " << Quoted(LevelName(c.to)) << ", \"until\": " << c.until << ", \"relay\": " << Quoted(relay)
    << ", \"time\": " << now << ", \"signals\": " << SignalsJson(c.signals) << ", \"evidence\": [";
  for (size_t i = 0; i < r.evidence.size(); ++i) o << (i ? ", " : "") << Quoted(r.evidence[i]);
  o << "]}";
  return o.str();
}

std::string AlertId(const std::string& identity, int64_t now_us) {
  uint32_t h = HashOf(identity);
  char buf[64];
  snprintf(buf, sizeof(buf), "%016lld-%08x", static_cast<long long>(now_us), h);
  return buf;
}

std::string AlertMailSubject(const std::string& identity, const Change& c) {
  return "sendguard: " + identity + " " + c.what + " (" + (c.condition.empty() ? "-" : c.condition) + ")";
}

std::string AlertMailBody(const std::string& identity, const Change& c, const Record& r, const std::string& relay) {
  std::ostringstream o;
  o << "Relay " << relay << " changed the state of " << identity << ": " << LevelName(c.from) << " -> "
    << LevelName(c.to) << " (" << c.what << ", condition " << (c.condition.empty() ? "-" : c.condition) << ").\n";
  if (c.to != Level::kNone) o << (c.until ? "Until: unix time " + std::to_string(c.until) : std::string("Until released by hand")) << ".\n";
  o << "\nLast hour: " << SignalsText(c.signals) << "\n\nRecent queue ids:";
  for (const std::string& q : r.evidence) o << " " << q;
  o << "\n\nSee: sendguard abuse show " << identity << "\nUndo: sendguard abuse release " << identity
    << " [--deliver-held|--delete-held]\n";
  return o.str();
}

}  // namespace sendguard::abuse

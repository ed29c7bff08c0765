// dkim/key_check.cc — judging published key records, and the reports.
#include "dkim/key_check.h"

#include <sstream>

#include "core/strings.h"
#include "dkim/key_record.h"
#include "dkim/keygen.h"

namespace sendguard::dkim {
namespace {

const struct { KeyState state; const char* name; } kStateNames[] = {
    {KeyState::kMatch, "match"},       {KeyState::kWeak, "weak"},
    {KeyState::kMismatch, "mismatch"}, {KeyState::kMissing, "missing"},
    {KeyState::kRevoked, "revoked"},   {KeyState::kUnreachable, "unreachable"},
    {KeyState::kUnchecked, "unchecked"}};

const char* TypeName(KeyType t) { return t == KeyType::kRsa ? "rsa" : "ed25519"; }

KeyCheck Verdict(KeyState state, std::string detail, const dns::TxtAnswer& answer) {
  return KeyCheck{state, std::move(detail), answer.aliases, false};
}

bool LooksLikeKeyRecord(const std::string& text) {
  return text.compare(0, 7, "v=DKIM1") == 0 || text.find("p=") != std::string::npos;
}

// The one record at the name that parses as a key record, or a verdict.
KeyCheck JudgeRecord(const KeyProbe& p, const KeyRecord& r, const dns::TxtAnswer& answer) {
  if (r.revoked()) return Verdict(KeyState::kRevoked, "p= is empty: the key is revoked", answer);
  if (r.key_type != TypeName(p.type))
    return Verdict(KeyState::kMismatch, "k=" + r.key_type + " but the key is " + TypeName(p.type), answer);
  if (!r.AllowsSha256Email())
    return Verdict(KeyState::kMismatch, "h= or s= excludes sha256 signatures of email", answer);
  if (r.public_key != p.public_key) return Verdict(KeyState::kMismatch, "p= is another key", answer);
  KeyCheck check = Verdict(KeyState::kMatch, "", answer);
  if (p.type == KeyType::kRsa && p.bits < 2048) {
    check.state = KeyState::kWeak;
    check.detail = "RSA key of " + std::to_string(p.bits) + " bits; use 2048 or more";
  }
  check.testing = r.testing();
  if (check.testing) check.detail += std::string(check.detail.empty() ? "" : "; ") + "t=y (testing)";
  return check;
}

std::string KeyDescription(const KeyProbe& p) {
  std::string d = std::string(TypeName(p.type));
  return p.type == KeyType::kRsa ? d + "-" + std::to_string(p.bits) : d;
}

// DNS data is anyone's: what of it goes into a report is printable ASCII.
std::string Printable(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  return s;
}

std::string OneLine(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

const char* KeyStateName(KeyState state) {
  for (const auto& s : kStateNames)
    if (s.state == state) return s.name;
  return "unreachable";
}

bool ParseKeyState(const std::string& name, KeyState* out) {
  for (const auto& s : kStateNames) {
    if (name != s.name) continue;
    *out = s.state;
    return true;
  }
  return false;
}

Result<std::vector<KeyProbe>> ProbesOf(const KeySet& keys) {
  std::vector<KeyProbe> probes;
  for (const KeyEntry& e : keys.entries()) {
    Result<std::string> p = PublicKeyBase64(e.key);
    if (!p.ok()) return Status::Internal("key " + e.name + ": " + p.status().message());
    probes.push_back({e.name, e.domain, e.selector, e.key.type, e.key.bits, *p, e.require_published});
  }
  return probes;
}

KeyCheck JudgeAnswer(const KeyProbe& p, const dns::TxtAnswer& answer) {
  using Outcome = dns::TxtAnswer::Outcome;
  if (p.domain == "%") return Verdict(KeyState::kUnchecked, "d= is each message's From domain", answer);
  if (answer.outcome == Outcome::kTimeout || answer.outcome == Outcome::kTempFail)
    return Verdict(KeyState::kUnreachable, answer.error, answer);
  std::vector<KeyRecord> records;
  std::string parse_error;
  for (const std::string& text : answer.records) {
    Result<KeyRecord> r = ParseKeyRecord(text);
    if (r.ok()) records.push_back(*r);
    else if (LooksLikeKeyRecord(text) && parse_error.empty()) parse_error = Printable(r.status().message());
  }
  if (records.size() > 1)
    return Verdict(KeyState::kMismatch, std::to_string(records.size()) + " key records (publish exactly one)", answer);
  if (records.size() == 1) return JudgeRecord(p, records[0], answer);
  if (!parse_error.empty()) return Verdict(KeyState::kMismatch, "the record does not parse: " + parse_error, answer);
  return Verdict(KeyState::kMissing, answer.records.empty() ? "no TXT record" : "TXT record(s), but no DKIM key",
                 answer);
}

KeyCheck CheckKey(const KeyProbe& probe, dns::TxtResolver& resolver) {
  if (probe.domain == "%") return JudgeAnswer(probe, dns::TxtAnswer{});
  return JudgeAnswer(probe, resolver.LookupTxt(probe.RecordName()));
}

std::string CheckReportText(const std::vector<KeyProbe>& probes, const std::vector<KeyCheck>& checks) {
  std::ostringstream out;
  for (size_t i = 0; i < probes.size() && i < checks.size(); ++i) {
    const KeyCheck& c = checks[i];
    std::string state = KeyStateName(c.state);
    out << state << std::string(12 - state.size(), ' ') << probes[i].RecordName() << "  key=" << probes[i].name
        << " " << KeyDescription(probes[i]);
    if (!c.aliases.empty()) out << " via CNAME " << Join(c.aliases, " -> ");
    if (!c.detail.empty()) out << ": " << c.detail;
    out << "\n";
  }
  return out.str();
}

std::string CheckReportJson(const std::vector<KeyProbe>& probes, const std::vector<KeyCheck>& checks) {
  std::ostringstream out;
  int problems = 0;
  out << "{\"keys\":[";
  for (size_t i = 0; i < probes.size() && i < checks.size(); ++i) {
    const KeyProbe& p = probes[i];
    const KeyCheck& c = checks[i];
    problems += IsProblem(c.state);
    std::vector<std::string> aliases;
    for (const std::string& a : c.aliases) aliases.push_back(Quoted(a));
    out << (i ? "," : "") << "{\"key\":" << Quoted(p.name) << ",\"domain\":" << Quoted(p.domain)
        << ",\"selector\":" << Quoted(p.selector) << ",\"record\":" << Quoted(p.RecordName())
        << ",\"type\":\"" << TypeName(p.type) << "\",\"bits\":" << p.bits << ",\"state\":\""
        << KeyStateName(c.state) << "\",\"usable\":" << (Usable(c.state) ? "true" : "false")
        << ",\"testing\":" << (c.testing ? "true" : "false") << ",\"cname\":[" << Join(aliases, ",")
        << "],\"detail\":" << Quoted(c.detail) << "}";
  }
  out << "],\"problems\":" << problems << "}\n";
  return out.str();
}

std::string EncodeCheck(size_t index, const KeyCheck& c) {
  return std::to_string(index) + "\t" + KeyStateName(c.state) + "\t" + (c.testing ? "y" : "n") + "\t" +
         OneLine(c.detail) + "\t" + OneLine(Join(c.aliases, " ")) + "\n";
}

bool DecodeCheck(const std::string& line, size_t* index, KeyCheck* c) {
  std::vector<std::string> f;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, '\t');) f.push_back(field);
  if (f.size() == 4) f.push_back("");
  if (f.size() != 5 || f[0].empty() || f[0].find_first_not_of("0123456789") != std::string::npos ||
      f[0].size() > 9 || !ParseKeyState(f[1], &c->state))
    return false;
  *index = std::stoul(f[0]);
  c->testing = f[2] == "y";
  c->detail = f[3];
  c->aliases = SplitWords(f[4]);
  return true;
}

}  // namespace sendguard::dkim

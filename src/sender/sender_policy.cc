// sender/sender_policy.cc — parsing the sender map and checking From.
#include "sender/sender_policy.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.h"
#include "idna/idna.h"
#include "mime/address.h"

namespace sendguard::sender {
namespace {

// The mailbox addresses of the From header values, lower-cased; an entry
// without a local part or a domain is no address.
std::vector<std::string> FromAddresses(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    for (const mime::Address& a : mime::ParseAddressList(v)) {
      size_t at = a.address.rfind('@');
      if (at == std::string::npos || at == 0 || at + 1 == a.address.size()) continue;
      out.push_back(Lower(a.address));
    }
  }
  return out;
}

bool DomainMatches(const std::string& pattern, const std::string& domain) {
  if (pattern.rfind("*.", 0) == 0) {
    std::string suffix = pattern.substr(1);
    return domain.size() > suffix.size() &&
           domain.compare(domain.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  return pattern == domain;
}

// "*", "user@domain", "*@domain", "@domain", "domain", "*.domain".
bool PatternMatches(const std::string& pattern, const std::string& address) {
  if (pattern == "*") return true;
  size_t at = pattern.rfind('@');
  if (at == std::string::npos) return DomainMatches(pattern, DomainOf(address));
  std::string local = pattern.substr(0, at);
  if (local.empty() || local == "*") return DomainMatches(pattern.substr(at + 1), DomainOf(address));
  return pattern == address;
}

bool ValidPattern(const std::string& p) {
  if (p.empty() || p.find_first_of("<>\"(),;") != std::string::npos) return false;
  size_t star = p.find('*');
  return star == std::string::npos || p == "*" || star == 0 || p.find("@*") == std::string::npos;
}

// The patterns of a policy line, each in its canonical spelling.
Status SplitPatterns(const std::vector<std::string>& fields, std::vector<std::string>* out) {
  for (size_t i = 1; i < fields.size(); ++i) {
    std::stringstream ss(fields[i]);
    for (std::string p; std::getline(ss, p, ',');) {
      if (p.empty()) continue;
      if (p == "!default") {
        out->push_back(p);
        continue;
      }
      Result<std::string> canonical = idna::CanonicalPattern(Lower(p));
      if (!canonical.ok()) return canonical.status();
      out->push_back(*canonical);
    }
  }
  return Status::Ok();
}

std::string Angle(const std::string& a) { return "<" + a + ">"; }

// A login as the entries are written: lower case, canonical domain.
std::string CanonicalLogin(const std::string& login) {
  std::string lower = Lower(login);
  Result<std::string> canonical = idna::CanonicalAddress(lower);
  return canonical.ok() ? *canonical : lower;
}

}  // namespace

const char* VerdictName(SenderVerdict v) {
  switch (v) {
    case SenderVerdict::kAllowed: return "allowed";
    case SenderVerdict::kNotAllowed: return "not_allowed";
    case SenderVerdict::kNoFrom: return "no_from";
    case SenderVerdict::kMultipleFrom: return "multiple_from";
  }
  return "?";
}

const char* ActionName(SenderAction a) {
  switch (a) {
    case SenderAction::kAccept: return "accept";
    case SenderAction::kReject: return "reject";
    case SenderAction::kSendUnsigned: return "send_unsigned";
    case SenderAction::kTempfail: return "tempfail";
  }
  return "?";
}

const char* SenderActionConfigName(SenderAction a) {
  return a == SenderAction::kSendUnsigned ? "unsigned" : ActionName(a);
}

Result<SenderAction> ParseSenderAction(const std::string& name) {
  if (name == "reject") return SenderAction::kReject;
  if (name == "unsigned") return SenderAction::kSendUnsigned;
  if (name == "tempfail") return SenderAction::kTempfail;
  return Status::InvalidArgument("sender action '" + name + "': expected reject, unsigned or tempfail");
}

Result<std::shared_ptr<const SenderPolicy>> SenderPolicy::Load(const SenderOptions& options) {
  std::shared_ptr<SenderPolicy> p(new SenderPolicy());
  p->options_ = options;
  if (!options.policy_path.empty()) {
    Status s = p->ParseFile();
    if (!s.ok()) return s;
  }
  return std::shared_ptr<const SenderPolicy>(p);
}

Status SenderPolicy::ParseFile() {
  const std::string& path = options_.policy_path;
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  std::string text;
  for (int number = 1; std::getline(in, text); ++number) {
    text.resize(std::min(text.size(), text.find('#')));
    std::istringstream words(text);
    std::vector<std::string> fields;
    for (std::string w; words >> w;) fields.push_back(w);
    if (fields.empty()) continue;
    Status s = ParseLine(path + ":" + std::to_string(number) + ": ", fields);
    if (!s.ok()) return s;
  }
  return in.bad() ? Status::IoError(path + ": read error") : Status::Ok();
}

Status SenderPolicy::ParseLine(const std::string& where, const std::vector<std::string>& fields) {
  Entry e;
  std::string id = Lower(fields[0]);
  bool looks_ip = id.find('@') == std::string::npos &&
                  (id.find(':') != std::string::npos ||
                   id.find_first_not_of("0123456789./") == std::string::npos);
  if (looks_ip) {
    Result<IpPrefix> c = IpPrefix::Parse(id);
    if (!c.ok()) return Status::InvalidArgument(where + c.status().message());
    e.is_cidr = true;
    e.cidr = *c;
  } else {
    Result<std::string> login = idna::CanonicalPattern(id);
    if (!login.ok()) return Status::InvalidArgument(where + login.status().message());
    e.login_pattern = *login;
  }
  std::vector<std::string> patterns;
  Status split = SplitPatterns(fields, &patterns);
  if (!split.ok()) return Status::InvalidArgument(where + split.message());
  for (const std::string& p : patterns) {
    if (p == "!default") { e.no_default = true; continue; }
    if (!ValidPattern(p))
      return Status::InvalidArgument(where + "bad address pattern '" + p +
                                     "' (use user@domain, *@domain, @domain, *.domain or *)");
    e.patterns.push_back(p);
  }
  if (e.patterns.empty() && !e.no_default)
    return Status::InvalidArgument(where + "'" + fields[0] + "' grants no address");
  entries_.push_back(std::move(e));
  return Status::Ok();
}

bool SenderPolicy::EntryApplies(const Entry& e, const SenderIdentity& who) const {
  if (who.login.empty()) {
    Result<IpAddress> addr = IpAddress::Parse(who.client_ip);
    return e.is_cidr && addr.ok() && e.cidr.Contains(*addr);
  }
  if (e.is_cidr) return false;
  const std::string& login = who.login;  // canonical: Check() made it so
  if (e.login_pattern == "*" || e.login_pattern == login) return true;
  size_t at = e.login_pattern.rfind('@');
  if (at == std::string::npos || (at != 0 && e.login_pattern.substr(0, at) != "*")) return false;
  return login.find('@') != std::string::npos &&
         DomainMatches(e.login_pattern.substr(at + 1), DomainOf(login));
}

bool SenderPolicy::MayUse(const SenderIdentity& who, const std::string& address) const {
  bool any_entry = false, use_default = options_.default_same_domain;
  for (const Entry& e : entries_) {
    if (!EntryApplies(e, who)) continue;
    any_entry = true;
    if (e.no_default) use_default = false;
    for (const std::string& p : e.patterns)
      if (PatternMatches(p, address)) return true;
  }
  if (who.login.empty()) return !any_entry && options_.allow_unmatched_unauthenticated;
  std::string login_domain = DomainOf(who.login);
  return use_default && !login_domain.empty() && login_domain == DomainOf(address);
}

SenderCheck SenderPolicy::Refuse(SenderCheck c, SenderAction action,
                                 const std::string& reason) const {
  c.action = action;
  c.reason = reason;
  bool temp = action == SenderAction::kTempfail;
  c.reply = {temp ? "451" : "550", temp ? "4.7.1" : "5.7.1", reason};
  return c;
}

SenderCheck SenderPolicy::Check(const SenderIdentity& sender, const std::string& envelope_from,
                                const std::vector<std::string>& from_header_values) const {
  // The login in the spelling the entries use, once per message.
  const SenderIdentity who{sender.login.empty() ? "" : CanonicalLogin(sender.login), sender.client_ip};
  SenderCheck c;
  std::vector<std::string> addresses = FromAddresses(from_header_values);
  if (from_header_values.size() > 1 || addresses.size() > 1) {
    c.verdict = SenderVerdict::kMultipleFrom;
    return Refuse(c, options_.bad_from_action, "message has several From addresses");
  }
  if (addresses.empty()) {
    c.verdict = SenderVerdict::kNoFrom;
    return Refuse(c, options_.bad_from_action, "message has no valid From address");
  }
  Result<std::string> from = idna::CanonicalAddress(addresses[0]);
  if (!from.ok()) {
    c.verdict = SenderVerdict::kNoFrom;
    return Refuse(c, options_.bad_from_action, "From address: " + from.status().message());
  }
  c.from_address = *from;
  c.from_domain = DomainOf(c.from_address);
  std::string who_text = who.login.empty() ? "client " + who.client_ip : Angle(sender.login);
  std::string envelope = Lower(envelope_from);
  if (!envelope.empty() && envelope.front() == '<') envelope.erase(0, 1);
  if (!envelope.empty() && envelope.back() == '>') envelope.pop_back();
  if (Result<std::string> canonical = idna::CanonicalAddress(envelope); canonical.ok()) envelope = *canonical;
  c.verdict = SenderVerdict::kNotAllowed;
  if (!MayUse(who, c.from_address))
    return Refuse(c, options_.mismatch_action,
                  who_text + " is not authorised to send as " + Angle(c.from_address));
  if (options_.check_envelope_from && !envelope.empty() && !MayUse(who, envelope))
    return Refuse(c, options_.mismatch_action,
                  who_text + " is not authorised to send as " + Angle(envelope) + " (envelope)");
  c.verdict = SenderVerdict::kAllowed;
  return c;
}

}  // namespace sendguard::sender

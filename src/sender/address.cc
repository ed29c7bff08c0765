// sender/address.cc — From header address extraction.
#include "sender/address.h"

#include <cctype>

namespace sendguard::sender {
namespace {

// Splits at top-level commas (outside quotes, comments and <...>), drops
// comments and quoted strings (display names), and strips a group's "name:".
std::vector<std::string> Mailboxes(std::string_view v) {
  std::vector<std::string> out(1);
  int comment = 0;
  bool quoted = false, angle = false;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
      continue;
    }
    if (comment > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++comment;
      else if (c == ')') --comment;
      continue;
    }
    if (c == '"') { quoted = true; out.back() += ' '; continue; }
    if (c == '(') { comment = 1; out.back() += ' '; continue; }
    if (c == '<') angle = true;
    if (c == '>') angle = false;
    if (!angle && (c == ',' || c == ';')) { out.emplace_back(); continue; }
    if (!angle && c == ':') { out.back().clear(); continue; }  // "group:" prefix
    out.back() += c;
  }
  return out;
}

std::string AddrSpec(const std::string& mailbox) {
  size_t lt = mailbox.find('<');
  std::string spec = mailbox;
  if (lt != std::string::npos) {
    size_t gt = mailbox.find('>', lt);
    spec = mailbox.substr(lt + 1, gt == std::string::npos ? std::string::npos : gt - lt - 1);
  }
  std::string out;
  for (char c : spec)
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  size_t at = out.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == out.size()) return "";
  return ToLower(out);
}

}  // namespace

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> ExtractAddresses(std::string_view header_value) {
  std::vector<std::string> out;
  for (const std::string& mailbox : Mailboxes(header_value)) {
    std::string a = AddrSpec(mailbox);
    if (!a.empty()) out.push_back(a);
  }
  return out;
}

std::string DomainOf(const std::string& address) {
  size_t at = address.rfind('@');
  return at == std::string::npos ? "" : ToLower(address.substr(at + 1));
}

}  // namespace sendguard::sender

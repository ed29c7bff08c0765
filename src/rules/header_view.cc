// rules/header_view.cc — header values as SpamAssassin's rules see them.
#include "rules/header_view.h"

#include <strings.h>

#include <cctype>

#include "core/strings.h"

namespace sendguard {
namespace rules {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string StripQuotes(std::string_view s) {
  s = Trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(Trim(s));
}

std::string Joined(const std::vector<mime::Header>& headers,
                   const std::vector<std::string_view>& names, HeaderView view, bool* found) {
  std::string out;
  for (const mime::Header& h : headers) {
    bool wanted = false;
    for (std::string_view n : names) wanted = wanted || SameName(h.name, n);
    if (!wanted) continue;
    if (*found) out += '\n';
    *found = true;
    switch (view) {
      case HeaderView::kRaw: out += h.raw; break;
      case HeaderView::kAddr: out += AddressOf(h.decoded); break;
      case HeaderView::kName: out += DisplayNameOf(h.decoded); break;
      case HeaderView::kDecoded: out += h.decoded; break;
    }
  }
  return out;
}

std::string AllHeaders(const std::vector<mime::Header>& headers, HeaderView view) {
  std::string out;
  for (const mime::Header& h : headers) {
    out += h.name;
    out += ':';
    if (view == HeaderView::kRaw) {
      out += h.raw;
    } else {
      out += ' ';
      out += h.decoded;
    }
    out += '\n';
  }
  return out;
}

}  // namespace

bool IsCallerSuppliedHeader(std::string_view name) {
  return name.rfind("X-Spam-", 0) == 0 || name == "EnvelopeFrom" || name == "ALL-TRUSTED" ||
         name == "ALL-UNTRUSTED" || name == "ALL-INTERNAL" || name == "ALL-EXTERNAL";
}

std::string AddressOf(std::string_view value) {
  size_t lt = value.find('<');
  if (lt != std::string_view::npos) {
    size_t gt = value.find('>', lt);
    if (gt != std::string_view::npos) return std::string(Trim(value.substr(lt + 1, gt - lt - 1)));
  }
  std::string no_comments;
  int depth = 0;
  for (char c : value) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0) no_comments += c;
  }
  std::string_view v = Trim(no_comments);
  size_t comma = v.find(',');
  return std::string(Trim(v.substr(0, comma)));
}

std::string DisplayNameOf(std::string_view value) {
  size_t lt = value.find('<');
  if (lt != std::string_view::npos) return StripQuotes(value.substr(0, lt));
  size_t open = value.find('(');
  size_t close = value.rfind(')');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    return StripQuotes(value.substr(open + 1, close - open - 1));
  return "";
}

std::string HeaderText(const std::vector<mime::Header>& headers, std::string_view name,
                       HeaderView view, bool* found) {
  *found = false;
  if (name == "ALL") {
    *found = !headers.empty();
    return AllHeaders(headers, view);
  }
  if (name == "ToCc") return Joined(headers, {"To", "Cc"}, view, found);
  if (name == "MESSAGEID")
    return Joined(headers, {"Message-Id", "Resent-Message-Id", "X-Message-Id"}, view, found);
  return Joined(headers, {name}, view, found);
}

}  // namespace rules
}  // namespace sendguard

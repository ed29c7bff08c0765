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

// CRLF -> LF; with `unfold`, a line break and the blanks after it -> " "
// (Message::Node::get_header with raw, as ToCc:raw reads it).
std::string RawValue(std::string_view raw, bool unfold) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    if (unfold && raw[i] == '\n') {
      while (i + 1 < raw.size() && isspace(static_cast<unsigned char>(raw[i + 1]))) ++i;
      out += ' ';
      continue;
    }
    out += raw[i];
  }
  return out;
}

// SpamAssassin's get(): the values joined by "\n". (There each decoded or
// raw value also ends in "\n"; RE2's $ is \z, Perl's also matches before a
// final "\n", so the last one is left out and /...$/ means the same.)
std::string Joined(const std::vector<mime::Header>& headers,
                   const std::vector<std::string_view>& names, HeaderView view,
                   bool unfold_raw, bool* found) {
  std::string out;
  for (std::string_view n : names) {
    for (const mime::Header& h : headers) {
      if (!SameName(h.name, n)) continue;
      switch (view) {
        case HeaderView::kRaw: out += (*found ? "\n" : "") + RawValue(h.raw, unfold_raw); break;
        case HeaderView::kAddr: out += (*found ? "\n" : "") + AddressOf(h.decoded); break;
        case HeaderView::kName: out += (*found ? "\n" : "") + DisplayNameOf(h.decoded); break;
        case HeaderView::kDecoded: out += (*found ? "\n" : "") + h.decoded; break;
      }
      *found = true;
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
      out += RawValue(h.raw, false);
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

std::string LastHeaderValue(const std::vector<mime::Header>& headers, std::string_view name,
                            HeaderView view, bool* found) {
  *found = false;
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (!SameName(it->name, name)) continue;
    *found = true;
    return view == HeaderView::kRaw ? RawValue(it->raw, false) : it->decoded;
  }
  return "";
}

std::string HeaderText(const std::vector<mime::Header>& headers, std::string_view name,
                       HeaderView view, bool* found) {
  *found = false;
  if (name == "ALL") {
    *found = !headers.empty();
    return AllHeaders(headers, view);
  }
  if (name == "ToCc") return Joined(headers, {"To", "Cc"}, view, true, found);
  if (name == "MESSAGEID")
    return Joined(headers, {"X-Message-Id", "Resent-Message-Id", "X-Original-Message-ID", "Message-Id"},
                  view, true, found);
  return Joined(headers, {name}, view, false, found);
}

}  // namespace rules
}  // namespace sendguard

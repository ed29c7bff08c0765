// mime/uri.cc — URL normalisation and plain-text URL finding.
#include "mime/uri.h"

#include <algorithm>
#include <cstring>

#include "core/strings.h"
#include "mime/header_block.h"

namespace sendguard {
namespace mime {
namespace {

constexpr size_t kMaxUriBytes = 8192;

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Characters that end a URL in text.
bool EndsUri(unsigned char c) {
  return c <= ' ' || c == '<' || c == '>' || c == '"' || c == '`' || c == '{' ||
         c == '}' || c == '|' || c == '^' || c == 0x7F;
}

// Appends the host %-decoded and lower-cased, without a trailing dot.
void AppendHost(std::string_view host, std::string* out) {
  size_t start = out->size();
  for (size_t i = 0; i < host.size(); ++i) {
    char c = host[i];
    if (c == '%' && i + 2 < host.size() && HexValue(host[i + 1]) >= 0 &&
        HexValue(host[i + 2]) >= 0) {
      c = static_cast<char>(HexValue(host[i + 1]) * 16 + HexValue(host[i + 2]));
      i += 2;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out->push_back(c);
  }
  while (out->size() > start && out->back() == '.') out->pop_back();
}

// Builds "scheme://" + authority with the host normalised + the rest.
std::string NormalizeAuthority(std::string_view scheme, std::string_view rest) {
  size_t end = rest.find_first_of("/?#");
  if (end == std::string_view::npos) end = rest.size();
  std::string_view authority = rest.substr(0, end);
  size_t at = authority.rfind('@');
  std::string_view userinfo = at == std::string_view::npos ? "" : authority.substr(0, at + 1);
  std::string_view hostport = at == std::string_view::npos ? authority : authority.substr(at + 1);
  size_t colon = hostport.rfind(':');
  if (colon != std::string_view::npos && hostport.find(']', colon) != std::string_view::npos) colon = std::string_view::npos;
  std::string out;
  out.reserve(scheme.size() + 3 + rest.size());
  for (char c : scheme) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  out += "://";
  out += userinfo;
  AppendHost(hostport.substr(0, colon), &out);
  if (colon != std::string_view::npos) out += hostport.substr(colon);
  out += rest.substr(end);
  return out;
}

std::string StripControlAndBlanks(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c > ' ' && c != 0x7F) out.push_back(static_cast<char>(c));
  }
  return out;
}

// Trailing characters that belong to the prose around a URL.
std::string_view TrimProse(std::string_view u) {
  while (!u.empty()) {
    char c = u.back();
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
        c == '\'' || c == '*') {
      u.remove_suffix(1);
    } else if (c == ')' && u.find('(') == std::string_view::npos) {
      u.remove_suffix(1);
    } else if (c == ']' && u.find('[') == std::string_view::npos) {
      u.remove_suffix(1);
    } else {
      break;
    }
  }
  return u;
}

// The URL in text starting at `begin`; appends it if it has a host part.
size_t TakeUri(std::string_view text, size_t begin, size_t min_len,
               std::vector<std::string>* out) {
  size_t end = begin;
  while (end < text.size() && end - begin < kMaxUriBytes &&
         !EndsUri(static_cast<unsigned char>(text[end]))) {
    ++end;
  }
  std::string_view u = TrimProse(text.substr(begin, end - begin));
  if (u.size() > min_len) {
    std::string n = NormalizeUri(u);
    if (!n.empty()) out->push_back(std::move(n));
  }
  return end;
}

// Known scheme ending just before text[colon] == ':'? Returns its start.
bool SchemeBefore(std::string_view text, size_t colon, size_t* start) {
  static constexpr std::string_view kSchemes[] = {"https", "http", "ftp", "mailto"};
  for (std::string_view s : kSchemes) {
    if (colon < s.size()) continue;
    size_t b = colon - s.size();
    if (!EqualsIgnoreCase(text.substr(b, s.size()), s)) continue;
    if (b > 0 && IsAlnum(text[b - 1])) continue;
    *start = b;
    return true;
  }
  return false;
}

// Index of the first "www." (any case) starting at or after `from`.
size_t FindWww(std::string_view text, size_t from) {
  for (size_t p = from + 3; p < text.size(); ++p) {
    const void* dot = std::memchr(text.data() + p, '.', text.size() - p);
    if (dot == nullptr) break;
    p = static_cast<const char*>(dot) - text.data();
    if (EqualsIgnoreCase(text.substr(p - 3, 3), "www")) return p - 3;
  }
  return std::string_view::npos;
}

// "http(s)://host/..." that NormalizeUri would return unchanged: lower-case
// scheme and host, no %-escape or trailing dot in the host, no blanks or
// control characters anywhere. The common case in newsletters.
bool IsAlreadyNormal(std::string_view s) {
  size_t host = s.compare(0, 7, "http://") == 0 ? 7 : s.compare(0, 8, "https://") == 0 ? 8 : 0;
  if (host == 0 || s.size() > kMaxUriBytes) return false;
  for (unsigned char c : s) {
    if (c <= ' ' || c == 0x7F) return false;
  }
  size_t end = s.find_first_of("/?#", host);
  std::string_view authority = s.substr(host, end == std::string_view::npos ? end : end - host);
  if (authority.empty() || authority.back() == '.' || authority.find('\\') != std::string_view::npos) return false;
  for (char c : authority) {
    if ((c >= 'A' && c <= 'Z') || c == '%' || c == '@') return false;
  }
  return true;
}

}  // namespace

std::string NormalizeUri(std::string_view uri) {
  if (IsAlreadyNormal(uri)) return std::string(uri);
  std::string stripped = StripControlAndBlanks(uri.substr(0, kMaxUriBytes));
  std::string_view s = stripped;
  std::string_view implied;  // scheme the text left out
  if (StartsWithIgnoreCase(s, "www.")) implied = "http";
  if (StartsWithIgnoreCase(s, "ftp.")) implied = "ftp";
  if (s.compare(0, 2, "//") == 0) implied = "http";
  if (!implied.empty()) {
    return NormalizeAuthority(implied, s.substr(s.compare(0, 2, "//") == 0 ? 2 : 0));
  }
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !IsAlpha(s[0])) return "";
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    if (!IsAlnum(c) && c != '+' && c != '-' && c != '.') return "";
  }
  std::string_view scheme = s.substr(0, colon);
  std::string_view rest = s.substr(colon + 1);
  size_t slashes = 0;
  while (slashes < rest.size() && (rest[slashes] == '/' || rest[slashes] == '\\')) ++slashes;
  if (slashes >= 2) return NormalizeAuthority(scheme, rest.substr(slashes));
  if (EqualsIgnoreCase(scheme, "http") || EqualsIgnoreCase(scheme, "https")) {
    return NormalizeAuthority(scheme, rest);
  }
  return Lower(scheme) + ":" + std::string(rest);
}

namespace {

// SpamAssassin's end delimiters of a mail address (PerMsgStatus
// _tbirdurire: tbirdenddelimemail, plus '@' for the local part).
bool EndsMailPart(unsigned char c, bool local) {
  if (c >= 0x80 || c <= ' ' || c == 0x1b) return true;
  if (local && c == '@') return true;
  return std::string_view("><\"`}]{[|,('").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsProseTail(char c) {
  return std::string_view("-~!@#^&*()_+=:;'?,.").find(c) != std::string_view::npos;
}

// "local@host.tld" around text[at] == '@' as "mailto:local@host.tld", or ""
// when SpamAssassin would not take it: no dot after the '@', a last label
// that is not 2+ letters (SpamAssassin checks it against its TLD list), or
// a cid:/mid: reference.
std::string MailtoAround(std::string_view text, size_t at, size_t floor) {
  size_t b = at;
  while (b > floor && !EndsMailPart(static_cast<unsigned char>(text[b - 1]), true)) --b;
  size_t e = at + 1;
  while (e < text.size() && e - at <= 251 && !EndsMailPart(static_cast<unsigned char>(text[e]), false)) ++e;
  while (e > at + 1 && IsProseTail(text[e - 1])) --e;
  if (b == at || e <= at + 1) return "";
  std::string_view local = text.substr(b, at - b), host = text.substr(at + 1, e - at - 1);
  std::string_view domain = host.substr(0, host.find_first_of("?&>"));
  size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2) return "";
  for (char c : domain.substr(dot + 1))
    if (!IsAlpha(c)) return "";
  if (local.size() > 4 && (EqualsIgnoreCase(local.substr(0, 4), "cid:") ||
                           EqualsIgnoreCase(local.substr(0, 4), "mid:")))
    return "";
  size_t colon = local.rfind(':');
  if (colon != std::string_view::npos) local = local.substr(colon + 1);  // "e-mail:" etc.
  if (local.empty()) return "";
  return "mailto:" + std::string(local) + "@" + std::string(host);
}

// Bare mail addresses outside the spans already taken as URLs.
void FindMailAddresses(std::string_view text, const std::vector<std::pair<size_t, size_t>>& taken,
                       std::vector<std::string>* out) {
  size_t span = 0, floor = 0;
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    while (span < taken.size() && taken[span].second <= at) floor = taken[span++].second;
    if (span < taken.size() && taken[span].first <= at) continue;
    std::string uri = MailtoAround(text, at, floor);
    if (!uri.empty()) out->push_back(NormalizeUri(uri));
  }
}

}  // namespace

void FindUris(std::string_view text, std::vector<std::string>* out) {
  std::vector<std::pair<size_t, size_t>> taken;
  size_t pos = 0;
  size_t resume = 0;  // text before this was already taken as a URL
  size_t next_www = FindWww(text, 0);
  while (pos < text.size()) {
    const void* hit = std::memchr(text.data() + pos, ':', text.size() - pos);
    size_t colon = hit ? static_cast<const char*>(hit) - text.data() : text.size();
    while (next_www != std::string_view::npos && next_www < colon) {
      size_t b = next_www;
      bool starts = b >= resume && (b == 0 || !(IsAlnum(text[b - 1]) || text[b - 1] == '/' ||
                                                text[b - 1] == '.' || text[b - 1] == '@'));
      if (starts) {
        resume = TakeUri(text, b, 4, out);
        taken.emplace_back(b, resume);
      }
      next_www = FindWww(text, std::max(next_www + 1, resume));
    }
    if (colon >= text.size()) break;
    size_t start;
    if (colon >= resume && SchemeBefore(text, colon, &start) && start >= resume) {
      resume = TakeUri(text, start, colon - start + 1, out);
      taken.emplace_back(start, resume);
      pos = std::max(resume, colon + 1);
    } else {
      pos = colon + 1;
    }
  }
  FindMailAddresses(text, taken, out);
}

}  // namespace mime
}  // namespace sendguard

// mime/uri.cc — URL normalisation and plain-text URL finding.
#include "mime/uri.h"

#include <algorithm>
#include <cstring>
#include <iterator>

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

// A match of SpamAssassin's text URI scanner: [begin, end) of the text and
// the URI it yields ("" when the match is dropped after matching).
struct Found {
  size_t begin, end;
  std::string uri;
};

// The URL in text starting at `begin`, kept if longer than `min_len`.
Found TakeUri(std::string_view text, size_t begin, size_t min_len) {
  size_t end = begin;
  while (end < text.size() && end - begin < kMaxUriBytes &&
         !EndsUri(static_cast<unsigned char>(text[end]))) {
    ++end;
  }
  std::string_view u = TrimProse(text.substr(begin, end - begin));
  return {begin, end, u.size() > min_len ? NormalizeUri(u) : std::string()};
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

bool IsPerlSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsOneOf(unsigned char c, std::string_view set) {
  return c != 0 && set.find(static_cast<char>(c)) != std::string_view::npos;
}

// The byte classes the schemeless scan asks about for every byte.
enum : unsigned char { kEndsTbird = 1, kStartsSchemeless = 2 };

struct ByteClasses {
  unsigned char of[256] = {};
  ByteClasses() {
    for (int c = 0; c < 256; ++c) {
      bool blank = IsPerlSpace(static_cast<unsigned char>(c)) || c == 0x1b || c == 0xa0;
      // SpamAssassin's tbirdenddelim: what ends a URL in text.
      if (blank || IsOneOf(static_cast<unsigned char>(c), "><\"`}]{[|")) of[c] |= kEndsTbird;
      // Its scstartdelim: what may precede a schemeless URL.
      if (blank || IsOneOf(static_cast<unsigned char>(c), "!\"#$&'()*+,/:;<=>?@[\\]^`{|}~"))
        of[c] |= kStartsSchemeless;
    }
  }
};

const ByteClasses& Classes() {
  static const ByteClasses kClasses;
  return kClasses;
}

bool EndsTbird(unsigned char c) { return Classes().of[c] & kEndsTbird; }
bool StartsSchemeless(unsigned char c) { return Classes().of[c] & kStartsSchemeless; }

// SpamAssassin's end delimiters of a mail address (PerMsgStatus
// _tbirdurire: tbirdenddelimemail, plus '@' for the local part).
bool EndsMailPart(unsigned char c, bool local) {
  if (c >= 0x80 || c <= ' ' || c == 0x1b) return true;
  if (local && c == '@') return true;
  return IsOneOf(c, "><\"`}]{[|,('");
}

bool IsHostChar(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '-'; }

bool IsProseTail(char c) {
  return std::string_view("-~!@#^&*()_+=:;'?,.").find(c) != std::string_view::npos;
}

// "local@host.tld" (as SpamAssassin's is_domain_valid): a dot, and a last
// label in the TLD list (with no list: 2 or more letters).
bool MailDomainValid(std::string_view domain, const TldList& tlds) {
  size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string_view last = domain.substr(dot + 1);
  if (!tlds.empty()) return tlds.Contains(last);
  if (last.size() < 2) return false;
  for (char c : last)
    if (!IsAlpha(c)) return false;
  return true;
}

// The URI SpamAssassin makes of the mail-like text local@host, or "": a
// '/' before the '@' makes it http:// (not an address); otherwise
// "mailto:local@host" unless the domain is not valid or it is a cid:/mid:
// reference.
std::string MailUri(std::string_view local, std::string_view host, const TldList& tlds) {
  size_t slash = local.find('/');
  if (slash != std::string_view::npos && slash + 1 < local.size()) {
    return NormalizeUri("http://" + std::string(local) + "@" + std::string(host));
  }
  if (!MailDomainValid(host.substr(0, host.find_first_of("?&>")), tlds)) return "";
  if (local.size() > 4 && (EqualsIgnoreCase(local.substr(0, 4), "cid:") ||
                           EqualsIgnoreCase(local.substr(0, 4), "mid:")))
    return "";
  size_t colon = local.rfind(':');
  if (colon != std::string_view::npos) local = local.substr(colon + 1);  // "e-mail:" etc.
  if (local.empty()) return "";
  return NormalizeUri("mailto:" + std::string(local) + "@" + std::string(host));
}

// The mail-like match around text[at] == '@' that starts at or after
// `floor`; false when there is none (nothing on one side of the '@').
bool MailAround(std::string_view text, size_t at, size_t floor, const TldList& tlds, Found* found) {
  size_t b = at;
  while (b > floor && !EndsMailPart(static_cast<unsigned char>(text[b - 1]), true)) --b;
  size_t e = at + 1;
  while (e < text.size() && e - at <= 251 && !EndsMailPart(static_cast<unsigned char>(text[e]), false)) ++e;
  if (b == at || e == at + 1) return false;
  size_t kept = e;
  while (kept > at + 1 && IsProseTail(text[kept - 1])) --kept;
  found->begin = b;
  found->end = e;
  found->uri = kept == at + 1 ? "" : MailUri(text.substr(b, at - b), text.substr(at + 1, kept - at - 1), tlds);
  return true;
}

// Bare mail addresses outside the spans already taken as URLs.
void FindMailAddresses(std::string_view text, const std::vector<Found>& taken, const TldList& tlds,
                       std::vector<Found>* out) {
  size_t span = 0, floor = 0;
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    while (span < taken.size() && taken[span].end <= at) floor = taken[span++].end;
    if (span < taken.size() && taken[span].begin <= at) continue;
    Found f;
    if (MailAround(text, at, floor, tlds, &f)) out->push_back(std::move(f));
  }
}

// What may follow the TLD of a schemeless URL at text[e]: an optional '.',
// optional ":port", optional "/path", then the end of the URL. `delim` is
// the first URL end (EndsTbird or text.size()) after text[e], so no part is
// scanned twice. Returns the URL's end, or npos. Tries the longer form of
// each part first, as the regular expression does.
size_t SchemelessTail(std::string_view text, size_t e, size_t delim) {
  const size_t n = text.size();
  for (int dot = 1; dot >= 0; --dot) {
    size_t q = e;
    if (dot && !(q < n && text[q] == '.')) continue;
    q += dot;
    for (int port = 1; port >= 0; --port) {
      size_t r = q;
      if (port) {
        if (!(r < n && text[r] == ':')) continue;
        size_t k = r + 1;
        while (k < n && k - r <= 5 && text[k] >= '0' && text[k] <= '9') ++k;
        if (k == r + 1) continue;
        r = k;
      }
      if (r < n && text[r] == '/' && delim > r + 1 && delim - r - 1 <= 2048) return delim;
      if (r == delim) return r;
    }
  }
  return std::string_view::npos;
}

// A schemeless URL "host.tld[.][:port][/path]" starting at text[p]: the
// longest host whose last label is in the TLD list and that is not followed
// by more labels. Sets *host_end; returns the URL's end or npos.
size_t MatchSchemeless(std::string_view text, size_t p, size_t delim, const TldList& tlds,
                       size_t* host_end) {
  size_t run = p + 1;
  while (run < text.size() && IsHostChar(text[run])) ++run;
  for (size_t d = std::min(run, p + 253); d-- > p + 1;) {
    if (text[d] != '.') continue;
    size_t e = d + 1;
    while (e < run && (IsAlnum(text[e]) || text[e] == '-')) ++e;
    if (e == d + 1 || !tlds.Contains(text.substr(d + 1, e - d - 1))) continue;
    if (e + 1 < text.size() && text[e] == '.' && IsAlnum(text[e + 1])) continue;
    size_t end = SchemelessTail(text, e, delim);
    if (end == std::string_view::npos) continue;
    *host_end = e;
    return end;
  }
  return std::string_view::npos;
}

// SpamAssassin's is_fqdn_valid: two or more labels of 1-63 letters, digits,
// '-' inside and '_' (not in the last two), 253 bytes at most.
bool FqdnValid(std::string_view host) {
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.size() > 253 || host.find('.') == std::string_view::npos) return false;
  size_t labels_after = std::count(host.begin(), host.end(), '.');
  for (size_t b = 0;; --labels_after) {
    size_t e = std::min(host.find('.', b), host.size());
    std::string_view label = host.substr(b, e - b);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (labels_after < 2 && label.find('_') != std::string_view::npos) return false;
    if (e == host.size()) return true;
    b = e + 1;
  }
}

// The URI SpamAssassin makes of schemeless text: ')' ends it unless a '('
// comes first, trailing punctuation goes, and what is left becomes
// http://... ("host/x@y" too; a bare "a@b" is left to the mail scan).
std::string SchemelessUri(std::string_view raw, std::string_view host) {
  size_t close = raw.substr(0, raw.find('(')).rfind(')');
  if (close != std::string_view::npos) raw = raw.substr(0, close);
  while (!raw.empty() && IsProseTail(raw.back())) raw.remove_suffix(1);
  if (!FqdnValid(host)) return "";
  size_t at = raw.find('@');
  if (at != std::string_view::npos) {
    size_t slash = raw.find('/');
    if (slash == std::string_view::npos || slash + 1 >= at) return "";
  }
  if (raw.find('.') == std::string_view::npos) return "";
  return NormalizeUri("http://" + std::string(raw));
}

// Host names ending in a listed TLD, outside the spans already taken.
void FindSchemeless(std::string_view text, const std::vector<Found>& taken, const TldList& tlds,
                    std::vector<Found>* out) {
  size_t span = 0, delim = 0;  // delim: the first URL end at or after p
  for (size_t p = 0; p < text.size();) {
    if (delim < p || p == 0) {
      delim = p;
      while (delim < text.size() && !EndsTbird(static_cast<unsigned char>(text[delim]))) ++delim;
    }
    while (span < taken.size() && taken[span].end <= p) ++span;
    if (span < taken.size() && taken[span].begin <= p) {
      p = taken[span].end;
      continue;
    }
    size_t host_end = 0, end = std::string_view::npos;
    if (IsAlnum(text[p]) && (p == 0 || StartsSchemeless(static_cast<unsigned char>(text[p - 1])))) {
      end = MatchSchemeless(text, p, delim, tlds, &host_end);
    }
    if (end == std::string_view::npos) {
      ++p;
      continue;
    }
    out->push_back({p, end, SchemelessUri(text.substr(p, end - p), text.substr(p, host_end - p))});
    p = end;
  }
}

// Scheme and www. URLs, left to right, each resuming after the last.
void FindSchemeUris(std::string_view text, std::vector<Found>* out) {
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
        out->push_back(TakeUri(text, b, 4));
        resume = out->back().end;
      }
      next_www = FindWww(text, std::max(next_www + 1, resume));
    }
    if (colon >= text.size()) break;
    size_t start;
    if (colon >= resume && SchemeBefore(text, colon, &start) && start >= resume) {
      out->push_back(TakeUri(text, start, colon - start + 1));
      resume = out->back().end;
      pos = std::max(resume, colon + 1);
    } else {
      pos = colon + 1;
    }
  }
}

bool ByBegin(const Found& a, const Found& b) { return a.begin < b.begin; }

}  // namespace

void FindUris(std::string_view text, std::vector<std::string>* out, const TldList& tlds) {
  std::vector<Found> found;
  FindSchemeUris(text, &found);
  size_t schemes = found.size();
  std::vector<Found> mail;
  FindMailAddresses(text, found, tlds, &mail);
  found.insert(found.end(), std::make_move_iterator(mail.begin()), std::make_move_iterator(mail.end()));
  std::inplace_merge(found.begin(), found.begin() + schemes, found.end(), ByBegin);
  if (!tlds.empty()) {
    std::vector<Found> schemeless;
    FindSchemeless(text, found, tlds, &schemeless);
    size_t before = found.size();
    found.insert(found.end(), std::make_move_iterator(schemeless.begin()),
                 std::make_move_iterator(schemeless.end()));
    std::inplace_merge(found.begin(), found.begin() + before, found.end(), ByBegin);
  }
  // As the scanner goes left to right, a match hides those that start
  // inside it (at the same start: scheme, then mail, then schemeless).
  size_t taken_to = 0;
  for (Found& f : found) {
    if (f.begin < taken_to) continue;
    taken_to = f.end;
    if (!f.uri.empty()) out->push_back(std::move(f.uri));
  }
}

}  // namespace mime
}  // namespace sendguard

// mime/header_block.cc — header block splitting and parameter parsing.
#include "mime/header_block.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "core/strings.h"
#include "mime/charset.h"
#include "mime/rfc2047.h"

namespace sendguard {
namespace mime {
namespace {

constexpr size_t kMaxParams = 64;

// The line starting at `pos`: [pos, end-of-line) and the start of the next.
std::string_view LineAt(std::string_view s, size_t pos, size_t* next) {
  const char* nl = static_cast<const char*>(
      std::memchr(s.data() + pos, '\n', s.size() - pos));
  size_t end = nl ? static_cast<size_t>(nl - s.data()) : s.size();
  *next = nl ? end + 1 : s.size();
  std::string_view line = s.substr(pos, end - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool IsHeaderNameChar(char c) {
  return c > 32 && c < 127 && c != ':';
}

// Length of the field name if `line` starts a header ("Name:"), else 0.
size_t HeaderNameLength(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsHeaderNameChar(line[i])) ++i;
  size_t name_len = i;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;  // "Name :"
  if (name_len == 0 || i >= line.size() || line[i] != ':') return 0;
  return name_len;
}

bool IsContinuation(std::string_view line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
        HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Reads a token or quoted-string at s[*pos]; stops at ';' outside quotes.
std::string ReadParamValue(std::string_view s, size_t* pos, bool* quoted) {
  std::string out;
  size_t i = *pos;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  *quoted = i < s.size() && s[i] == '"';
  if (*quoted) {
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      if (s[i] != '\r' && s[i] != '\n') out.push_back(s[i]);
    }
    if (i < s.size()) ++i;
    while (i < s.size() && s[i] != ';') ++i;
  } else {
    size_t b = i;
    while (i < s.size() && s[i] != ';') ++i;
    out = std::string(TrimBlanks(s.substr(b, i - b)));
  }
  *pos = i;
  return out;
}

struct ExtendedParam {
  std::map<int, std::pair<std::string, bool>> sections;  // n -> (text, encoded)
};

// "name*0*" -> base "name", section 0, encoded true.
void SplitParamName(const std::string& name, std::string* base, int* section,
                    bool* encoded) {
  std::string n = name;
  *encoded = !n.empty() && n.back() == '*';
  if (*encoded) n.pop_back();
  *section = -1;
  size_t star = n.find('*');
  if (star != std::string::npos) {
    std::string digits = n.substr(star + 1);
    *section = 0;
    for (char c : digits.substr(0, 4)) {
      if (c >= '0' && c <= '9') *section = *section * 10 + (c - '0');
    }
    n.resize(star);
  }
  *base = n;
}

// Joins RFC 2231 sections; the first encoded section names the charset.
std::string JoinExtended(const ExtendedParam& p) {
  std::string charset, bytes;
  bool first = true;
  for (const auto& [n, text_enc] : p.sections) {
    std::string_view text = text_enc.first;
    if (text_enc.second && first) {
      size_t q1 = text.find('\'');
      size_t q2 = q1 == std::string_view::npos ? q1 : text.find('\'', q1 + 1);
      if (q2 != std::string_view::npos) {
        charset = std::string(text.substr(0, q1));
        text = text.substr(q2 + 1);
      }
    }
    bytes += text_enc.second ? PercentDecode(text) : std::string(text);
    first = false;
  }
  return ToUtf8(bytes, charset);
}

}  // namespace

HeaderBlock SplitHeaderBlock(std::string_view s, size_t max_headers,
                             size_t max_value_bytes) {
  HeaderBlock block;
  size_t pos = 0;
  bool have_current = false;
  size_t value_begin = 0;
  auto close_current = [&](size_t value_end) {
    if (!have_current) return;
    std::string_view v = s.substr(value_begin, value_end - value_begin);
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
    if (v.size() > max_value_bytes) {
      v = v.substr(0, max_value_bytes);
      ++block.values_capped;
    }
    block.headers.back().value = v;
    have_current = false;
  };
  while (pos < s.size()) {
    size_t next;
    std::string_view line = LineAt(s, pos, &next);
    if (line.empty()) {  // the blank line ending the block
      close_current(pos);
      block.body = s.substr(next);
      return block;
    }
    if (IsContinuation(line)) {
      if (!have_current && pos == 0) {  // body without headers
        break;
      }
      pos = next;
      continue;
    }
    size_t name_len = HeaderNameLength(line);
    if (name_len == 0) {
      if (pos == 0 && line.substr(0, 5) == "From ") {  // mbox separator
        pos = next;
        continue;
      }
      close_current(pos);
      block.ended_without_blank = true;
      block.body = s.substr(pos);
      return block;
    }
    close_current(pos);
    if (block.headers.size() >= max_headers) {
      ++block.headers_dropped;
    } else {
      size_t colon = line.find(':', name_len);
      block.headers.push_back({line.substr(0, name_len), {}});
      value_begin = pos + colon + 1;
      have_current = true;
    }
    pos = next;
  }
  close_current(pos);
  block.body = s.substr(pos);
  if (pos < s.size()) block.ended_without_blank = true;
  return block;
}

const RawHeader* FindHeader(const HeaderBlock& block, std::string_view name) {
  for (const RawHeader& h : block.headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h;
  }
  return nullptr;
}

std::string StructuredValue::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

StructuredValue ParseStructuredValue(std::string_view folded) {
  // A folded value ("multipart/mixed;\r\n\tboundary=...") is read unfolded.
  std::string unfolded(folded);
  for (char& c : unfolded)
    if (c == '\r' || c == '\n') c = ' ';
  std::string_view raw = unfolded;
  StructuredValue out;
  size_t semi = raw.find(';');
  out.value = Lower(TrimBlanks(raw.substr(0, semi)));
  std::map<std::string, ExtendedParam> extended;
  size_t pos = semi;
  while (pos != std::string_view::npos && pos < raw.size() &&
         out.params.size() + extended.size() < kMaxParams) {
    ++pos;  // skip ';'
    size_t eq = raw.find_first_of("=;", pos);
    if (eq == std::string_view::npos || raw[eq] == ';') {
      pos = eq;
      continue;
    }
    std::string name = Lower(TrimBlanks(raw.substr(pos, eq - pos)));
    pos = eq + 1;
    bool quoted = false;
    std::string value = ReadParamValue(raw, &pos, &quoted);
    if (name.find('*') != std::string::npos) {
      std::string base;
      int section;
      bool encoded;
      SplitParamName(name, &base, &section, &encoded);
      extended[base].sections[std::max(section, 0)] = {value, encoded};
    } else if (!name.empty()) {
      if (quoted && value.find("=?") != std::string::npos) value = DecodeHeaderValue(value);
      out.params.emplace_back(name, value);
    }
  }
  // RFC 2231 values win over plain ones of the same name: put them first.
  std::vector<std::pair<std::string, std::string>> joined;
  for (const auto& [name, p] : extended) joined.emplace_back(name, JoinExtended(p));
  out.params.insert(out.params.begin(), joined.begin(), joined.end());
  return out;
}

}  // namespace mime
}  // namespace sendguard

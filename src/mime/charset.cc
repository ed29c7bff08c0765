// mime/charset.cc — charset conversion: fast paths for UTF-8 and
// windows-1252, glibc iconv for everything else.
#include "mime/charset.h"

#include <errno.h>
#include <iconv.h>

#include <cstdint>
#include <cstring>

namespace sendguard {
namespace mime {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
constexpr size_t kMaxCharsetName = 40;

struct Alias {
  const char* name;
  const char* canonical;
};

// Names mail clients write, mapped to the superset actually in use.
constexpr Alias kAliases[] = {
    {"utf8", "utf-8"},           {"unicode-1-1-utf-8", "utf-8"},
    {"us-ascii", "windows-1252"}, {"ascii", "windows-1252"},
    {"ansi_x3.4-1968", "windows-1252"}, {"iso-8859-1", "windows-1252"},
    {"iso8859-1", "windows-1252"}, {"iso_8859-1", "windows-1252"},
    {"8859-1", "windows-1252"},  {"latin1", "windows-1252"},
    {"latin-1", "windows-1252"}, {"l1", "windows-1252"},
    {"cp819", "windows-1252"},   {"cp1252", "windows-1252"},
    {"x-user-defined", "windows-1252"}, {"iso-8859-15", "iso-8859-15"},
    {"gb2312", "gb18030"},       {"gbk", "gb18030"},
    {"x-gbk", "gb18030"},        {"cp936", "gb18030"},
    {"euc-cn", "gb18030"},       {"gb_2312-80", "gb18030"},
    {"ks_c_5601-1987", "cp949"}, {"ks_c_5601", "cp949"},
    {"euc-kr", "cp949"},         {"shift_jis", "cp932"},
    {"shift-jis", "cp932"},      {"sjis", "cp932"},
    {"x-sjis", "cp932"},         {"ms_kanji", "cp932"},
    {"windows-31j", "cp932"},    {"iso-2022-jp", "iso-2022-jp-2"},
    {"big5", "big5-hkscs"},      {"x-mac-roman", "macintosh"},
};

std::string LowerTrimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"')) s.remove_suffix(1);
  std::string out(s.substr(0, kMaxCharsetName));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A name we may hand to iconv_open: no "//" options, nothing exotic.
bool IsSafeCharsetName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.' || c == ':' || c == '+';
    if (!ok) return false;
  }
  return true;
}

// windows-1252 0x80..0x9F; 0 marks the five undefined bytes (kept as C1).
constexpr unsigned short kCp1252High[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

void AppendCp1252(std::string_view bytes, std::string* out) {
  out->reserve(out->size() + bytes.size());
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0xA0 && kCp1252High[c - 0x80] != 0) {
      AppendCodePoint(kCp1252High[c - 0x80], out);
    } else {
      AppendCodePoint(c, out);
    }
  }
}

// First index >= i of a non-ASCII byte (or n), eight bytes at a time.
size_t SkipAscii(const unsigned char* p, size_t i, size_t n) {
  while (i + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid there.
size_t ValidSequenceLength(const unsigned char* s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (n < len) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (s[k] < 0x80 || s[k] > 0xBF) return 0;
  }
  return len;
}

// Converts with iconv; returns false if the converter cannot be opened.
bool AppendWithIconv(std::string_view bytes, const std::string& from,
                     std::string* out) {
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char buf[4096];
  while (in_left > 0) {
    char* dst = buf;
    size_t dst_left = sizeof(buf);
    size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
    out->append(buf, dst - buf);
    if (rc != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) continue;
    out->append(kReplacement);
    if (errno == EINVAL) break;  // truncated sequence at the end
    ++in;                        // EILSEQ: skip one byte and resynchronise
    --in_left;
  }
  char* dst = buf;
  size_t dst_left = sizeof(buf);
  iconv(cd, nullptr, nullptr, &dst, &dst_left);  // flush shift state
  out->append(buf, dst - buf);
  iconv_close(cd);
  return true;
}

}  // namespace

std::string CanonicalCharset(std::string_view declared) {
  std::string name = LowerTrimmed(declared);
  size_t star = name.find('*');  // RFC 2231 language suffix: "utf-8*en"
  if (star != std::string::npos) name.resize(star);
  for (const Alias& a : kAliases) {
    if (name == a.name) return a.canonical;
  }
  return name;
}

void AppendCodePoint(unsigned long cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out->append(kReplacement);
  } else if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValidUtf8(std::string_view s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    i = SkipAscii(p, i, n);
    if (i >= n) break;
    if (p[i] < 0x80) { ++i; continue; }
    size_t len = ValidSequenceLength(p + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void AppendSanitizedUtf8(std::string_view s, std::string* out) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t start = 0, i = 0;
  while (i < n) {
    i = SkipAscii(p, i, n);
    if (i >= n) break;
    if (p[i] < 0x80) { ++i; continue; }
    size_t len = ValidSequenceLength(p + i, n - i);
    if (len != 0) { i += len; continue; }
    out->append(s.data() + start, i - start);
    out->append(kReplacement);
    start = ++i;
  }
  out->append(s.data() + start, n - start);
}

void AppendAsUtf8(std::string_view bytes, std::string_view charset,
                  std::string* out, bool* unknown) {
  if (unknown != nullptr) *unknown = false;
  std::string name = CanonicalCharset(charset);
  if (name.empty() || name == "utf-8") {
    // Undeclared text that is not UTF-8 is most likely latin1.
    if (name.empty() && !IsValidUtf8(bytes)) return AppendCp1252(bytes, out);
    return AppendSanitizedUtf8(bytes, out);
  }
  if (name == "windows-1252") return AppendCp1252(bytes, out);
  if (IsSafeCharsetName(name) && AppendWithIconv(bytes, name, out)) return;
  if (unknown != nullptr) *unknown = true;
  AppendCp1252(bytes, out);
}

std::string ToUtf8(std::string_view bytes, std::string_view charset,
                   bool* unknown) {
  std::string out;
  AppendAsUtf8(bytes, charset, &out, unknown);
  return out;
}

}  // namespace mime
}  // namespace sendguard

// mime/rfc2047.cc — encoded-word decoding for header values.
#include "mime/rfc2047.h"

#include "mime/charset.h"
#include "mime/transfer_encoding.h"

namespace sendguard {
namespace mime {
namespace {

struct EncodedWord {
  size_t begin = 0;  // index of "=?"
  size_t end = 0;    // index after "?="
  std::string_view charset;
  char encoding = 0;  // 'B' or 'Q'
  std::string_view text;
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool IsBlankOnly(std::string_view s) {
  for (char c : s) {
    if (!IsBlank(c)) return false;
  }
  return true;
}

constexpr size_t kMaxCharsetLength = 64;

// Finds "?=" terminators; remembers the last answer so a value full of
// unterminated "=?" starts is scanned once, not once per start (linear time).
class CloseFinder {
 public:
  explicit CloseFinder(std::string_view s) : s_(s) {}
  size_t From(size_t x) {
    if (!(x >= from_ && (x <= found_ || found_ == std::string_view::npos))) {
      from_ = x;
      found_ = s_.find("?=", x);
    }
    return found_;
  }

 private:
  std::string_view s_;
  size_t from_ = std::string_view::npos;
  size_t found_ = 0;
};

// Parses an encoded-word starting at s[pos] == '=' (s[pos+1] == '?').
bool ParseEncodedWord(std::string_view s, size_t pos, CloseFinder* closer,
                      EncodedWord* w) {
  size_t q1 = s.substr(0, pos + 3 + kMaxCharsetLength).find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 == pos + 2 || q1 + 2 >= s.size()) return false;
  char enc = s[q1 + 1];
  if (s[q1 + 2] != '?') return false;
  if (enc == 'b') enc = 'B';
  if (enc == 'q') enc = 'Q';
  if (enc != 'B' && enc != 'Q') return false;
  size_t end = closer->From(q1 + 3);
  if (end == std::string_view::npos) return false;
  std::string_view charset = s.substr(pos + 2, q1 - pos - 2);
  if (charset.find_first_of(" \t") != std::string_view::npos) return false;
  w->begin = pos;
  w->end = end + 2;
  w->charset = charset;
  w->encoding = enc;
  w->text = s.substr(q1 + 3, end - q1 - 3);
  return true;
}

void DecodeWordBytes(const EncodedWord& w, std::string* bytes) {
  if (w.encoding == 'B') {
    DecodeBase64(w.text, bytes);
  } else {
    DecodeQEncoding(w.text, bytes);
  }
}

// Appends plain (not encoded) header text as UTF-8.
void AppendPlain(std::string_view s, std::string* out) {
  AppendAsUtf8(s, "", out);
}

// Trims blanks at both ends.
std::string Trimmed(std::string s) {
  size_t b = 0;
  while (b < s.size() && IsBlank(s[b])) ++b;
  size_t e = s.size();
  while (e > b && IsBlank(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

std::string UnfoldHeaderValue(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\r') continue;
    if (c != '\n') {
      out.push_back(c);
      continue;
    }
    // A line break and the blanks after it become one space (as
    // SpamAssassin's Message::Node reads headers: s/\n[ \t]+/ /).
    bool blanks = false;
    while (i + 1 < raw.size() && (raw[i + 1] == ' ' || raw[i + 1] == '\t')) {
      ++i;
      blanks = true;
    }
    if (blanks) out.push_back(' ');
  }
  return out;
}

std::string DecodeHeaderValue(std::string_view raw) {
  std::string unfolded = UnfoldHeaderValue(raw);
  std::string_view s = unfolded;
  std::string out;
  out.reserve(s.size());
  std::string pending;          // bytes of joined adjacent encoded-words
  std::string_view pending_cs;  // their charset
  size_t pos = 0;
  bool prev_was_word = false;
  CloseFinder closer(s);
  auto flush = [&]() {
    if (!pending.empty()) AppendAsUtf8(pending, pending_cs, &out);
    pending.clear();
  };
  while (pos < s.size()) {
    size_t start = s.find("=?", pos);
    EncodedWord w;
    while (start != std::string_view::npos && !ParseEncodedWord(s, start, &closer, &w)) {
      start = s.find("=?", start + 2);
    }
    if (start == std::string_view::npos) break;
    std::string_view between = s.substr(pos, start - pos);
    bool joined = prev_was_word && IsBlankOnly(between);
    if (!joined || pending_cs != w.charset) flush();
    if (!joined) AppendPlain(between, &out);
    prev_was_word = true;
    pending_cs = w.charset;
    DecodeWordBytes(w, &pending);
    pos = w.end;
  }
  flush();
  if (pos < s.size()) AppendPlain(s.substr(pos), &out);
  return Trimmed(std::move(out));
}

}  // namespace mime
}  // namespace sendguard

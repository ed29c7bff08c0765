// mime/transfer_encoding.cc — base64 and quoted-printable decoders.
#include "mime/transfer_encoding.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace sendguard {
namespace mime {
namespace {

constexpr signed char kPad = -2;
constexpr signed char kSpace = -3;
constexpr signed char kBad = -1;

constexpr std::array<signed char, 256> MakeBase64Table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = kBad;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<signed char>(i);
    t['a' + i] = static_cast<signed char>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<signed char>(52 + i);
  t['+'] = 62;
  t['/'] = 63;
  t['-'] = 62;  // base64url, seen in the wild
  t['_'] = 63;
  t['='] = kPad;
  t[' '] = t['\t'] = t['\r'] = t['\n'] = kSpace;
  return t;
}
constexpr std::array<signed char, 256> kBase64 = MakeBase64Table();

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// After a '=' at in[i]: position after a soft line break, or 0 if none.
size_t SoftBreakEnd(std::string_view in, size_t i) {
  size_t j = i + 1;
  while (j < in.size() && (in[j] == ' ' || in[j] == '\t')) ++j;
  if (j < in.size() && in[j] == '\r') ++j;
  if (j < in.size() && in[j] == '\n') return j + 1;
  if (j == in.size()) return j;  // "=" at the very end: drop it
  return 0;
}

// Line-break bytes (CR, LF) in `s`, eight bytes at a time (exact).
size_t CountLineBreaks(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  constexpr uint64_t kCr = kOnes * '\r', kLf = kOnes * '\n';
  auto zero_bytes = [](uint64_t x) { return ~(((x & kLow7) + kLow7) | x | kLow7); };
  size_t count = 0, i = 0;
  while (i + 8 <= s.size()) {
    uint64_t acc = 0;  // a counter per byte lane; 15 rounds keep the lane sum < 256
    for (int round = 0; round < 15 && i + 8 <= s.size(); ++round, i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      acc += (zero_bytes(w ^ kCr) >> 7) + (zero_bytes(w ^ kLf) >> 7);
    }
    count += static_cast<size_t>((acc * kOnes) >> 56);
  }
  for (; i < s.size(); ++i) count += s[i] == '\r' || s[i] == '\n';
  return count;
}

// '=' padding at the end of base64 text (trailing white space skipped).
size_t TrailingPadding(std::string_view s) {
  size_t pads = 0;
  for (size_t i = s.size(); i > 0 && pads < 3; --i) {
    char c = s[i - 1];
    if (c == '=') {
      ++pads;
    } else if (c != '\r' && c != '\n' && c != ' ' && c != '\t') {
      break;
    }
  }
  return pads;
}

}  // namespace

bool DecodeBase64(std::string_view in, std::string* out) {
  out->reserve(out->size() + in.size() / 4 * 3 + 3);
  bool clean = true;
  unsigned acc = 0;
  int bits = 0;
  int quantum = 0;  // sextets in the current 4-character group
  for (unsigned char c : in) {
    signed char v = kBase64[c];
    if (v >= 0) {
      acc = (acc << 6) | static_cast<unsigned>(v);
      bits += 6;
      quantum = (quantum + 1) & 3;
      if (bits >= 8) {
        bits -= 8;
        out->push_back(static_cast<char>((acc >> bits) & 0xFF));
      }
    } else if (v == kPad) {
      if (quantum == 1) clean = false;  // a lone sextet: 6 bits lost
      acc = 0;
      bits = 0;
      quantum = 0;
    } else if (v == kBad) {
      clean = false;
    }
  }
  if (quantum == 1) clean = false;
  return clean;
}

bool DecodeQuotedPrintable(std::string_view in, std::string* out) {
  out->reserve(out->size() + in.size());
  bool clean = true;
  size_t i = 0;
  while (i < in.size()) {
    size_t eq = in.find('=', i);
    if (eq == std::string_view::npos) eq = in.size();
    out->append(in.data() + i, eq - i);
    if (eq == in.size()) break;
    if (size_t end = SoftBreakEnd(in, eq)) {
      i = end;
      continue;
    }
    int hi = eq + 1 < in.size() ? HexValue(in[eq + 1]) : -1;
    int lo = eq + 2 < in.size() ? HexValue(in[eq + 2]) : -1;
    if (hi >= 0 && lo >= 0) {
      out->push_back(static_cast<char>(hi * 16 + lo));
      i = eq + 3;
    } else {
      out->push_back('=');
      clean = false;
      i = eq + 1;
    }
  }
  return clean;
}

void DecodeQEncoding(std::string_view in, std::string* out) {
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '_') {
      out->push_back(' ');
    } else if (c == '=' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 &&
               HexValue(in[i + 2]) >= 0) {
      out->push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
}

size_t EstimateBase64DecodedSize(std::string_view in) {
  size_t skipped = CountLineBreaks(in) + TrailingPadding(in);
  return (in.size() - std::min(skipped, in.size())) * 3 / 4;
}

}  // namespace mime
}  // namespace sendguard

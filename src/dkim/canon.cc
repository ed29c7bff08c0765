// dkim/canon.cc — simple and relaxed canonicalization (RFC 6376 3.4.1-3.4.4).
#include "dkim/canon.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace sendguard::dkim {
namespace {

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

// Bytes above SP: never CR, LF, WSP or another control.
bool IsPlain(char c) { return static_cast<unsigned char>(c) > 0x20; }

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHigh = 0x8080808080808080ULL;

// The high bit of every byte of x that equals c, no other bit (exact: no
// carry crosses bytes).
uint64_t BytesEqual(uint64_t x, unsigned char c) {
  const uint64_t low7 = ~kHigh;
  uint64_t v = x ^ (kOnes * c);
  return ~(((v & low7) + low7) | v | low7);
}

// The high bit of every byte of x up to SP (not plain); the borrow may also
// mark a byte above one of those, never misses one.
uint64_t BytesNotPlain(uint64_t x) { return (x - kOnes * 0x21) & ~x & kHigh; }

uint64_t Load8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, sizeof x);
  return x;
}

// Zero only when each of the 8 bytes at p is plain or an SP followed by a
// plain byte. Reads p[0..8].
uint64_t RunStops(const char* p) {
  uint64_t x = Load8(p);
  return BytesNotPlain(x) & (~BytesEqual(x, ' ') | BytesNotPlain(Load8(p + 1)));
}

// The end of the run at p of plain bytes and single SPs between two of them:
// what relaxed canonicalization (body and header values) leaves as it is.
// Usually a whole line; p itself when *p is not plain.
const char* PlainRunEnd(const char* p, const char* end) {
  if (p == end || !IsPlain(*p)) return p;
  const char* q = p + 1;
  while (end - q >= 9 && RunStops(q) == 0) q += 8;  // 8 bytes at a time
  while (q < end) {  // here q[-1] is plain, or an SP before a plain *q
    if (IsPlain(*q)) ++q;
    else if (*q == ' ' && q + 1 < end && IsPlain(q[1])) q += 2;
    else break;
  }
  return q;
}

// Simple body canonicalization leaves everything up to the next CR as it is.
const char* CrOrEnd(const char* p, const char* end) {
  const void* cr = std::memchr(p, '\r', static_cast<size_t>(end - p));
  return cr ? static_cast<const char*>(cr) : end;
}

// ASCII only, whatever the locale: header field names are ASCII.
char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The appenders below size *out for the longest result, write through a
// pointer and trim: no per-byte capacity checks.
void AppendLower(std::string_view s, std::string* out) {
  size_t start = out->size();
  out->resize(start + s.size());
  std::transform(s.begin(), s.end(), out->begin() + static_cast<ptrdiff_t>(start), LowerAscii);
}

// Relaxed value: unfold, runs of WSP -> one SP, no WSP at either end. Never
// longer than the value: every SP written stands for at least one WSP.
void AppendRelaxedValue(std::string_view value, std::string* out) {
  size_t start = out->size();
  out->resize(start + value.size());
  char* const begin = out->data() + start;
  char* w = begin;
  bool space = false;
  for (const char *p = value.data(), *end = p + value.size(); p < end;) {
    if (*p == '\r' || *p == '\n' || IsWsp(*p)) {
      space = space || IsWsp(*p);
      ++p;
      continue;
    }
    const char* run_end = std::max(PlainRunEnd(p, end), p + 1);  // a control byte alone
    if (space && w != begin) *w++ = ' ';
    space = false;
    w = std::copy(p, run_end, w);
    p = run_end;
  }
  out->resize(start + static_cast<size_t>(w - begin));
}

void AppendRelaxedName(std::string_view name, std::string* out) {
  while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
  AppendLower(name, out);
}

}  // namespace

void AppendCanonicalHeader(Canon canon, std::string_view name, std::string_view value,
                           std::string* out) {
  if (canon == Canon::kSimple) {
    out->append(name).append(":").append(value);
  } else {
    AppendRelaxedName(name, out);
    out->push_back(':');
    AppendRelaxedValue(value, out);
  }
  out->append("\r\n");
}

std::string CanonicalHeader(Canon canon, std::string_view name, std::string_view value) {
  std::string out;
  out.reserve(name.size() + value.size() + 3);
  AppendCanonicalHeader(canon, name, value, &out);
  return out;
}

// Runs that canonicalization leaves as they are (CrOrEnd, PlainRunEnd) are
// copied in one go; the other bytes go through the byte state machine.
void BodyHasher::Update(std::string_view chunk) {
  const char* p = chunk.data();
  const char* end = p + chunk.size();
  while (p < end) {
    const char* run_end = pending_cr_ ? p : relaxed_ ? PlainRunEnd(p, end) : CrOrEnd(p, end);
    if (run_end > p) {
      ContentRun(std::string_view(p, static_cast<size_t>(run_end - p)));
      p = run_end;
    } else {
      Byte(*p++);
    }
  }
}

void BodyHasher::ContentRun(std::string_view run) {
  Content(run[0]);
  Emit(run.substr(1));
}

void BodyHasher::Byte(char c) {
  if (pending_cr_) {
    pending_cr_ = false;
    if (c == '\n') {  // end of line: trailing WSP dropped, CRLF deferred
      pending_space_ = false;
      ++pending_crlfs_;
      return;
    }
    Content('\r');  // a bare CR is ordinary data
  }
  if (c == '\r') { pending_cr_ = true; return; }
  if (relaxed_ && IsWsp(c)) { pending_space_ = true; return; }
  Content(c);
}

void BodyHasher::Content(char c) {
  for (; pending_crlfs_ > 0; --pending_crlfs_) { EmitByte('\r'); EmitByte('\n'); }
  if (pending_space_) { EmitByte(' '); pending_space_ = false; }
  any_content_ = true;
  EmitByte(c);
}

// Buffered so that SHA-256 sees large blocks, not one call per line.
void BodyHasher::EmitByte(char c) {
  if (used_ == sizeof out_) Flush();
  out_[used_++] = c;
}

void BodyHasher::Emit(std::string_view bytes) {
  if (bytes.size() <= sizeof out_ - used_) {  // the usual case: it fits
    std::memcpy(out_ + used_, bytes.data(), bytes.size());
    used_ += bytes.size();
    return;
  }
  while (!bytes.empty()) {
    if (used_ == sizeof out_) Flush();
    size_t n = std::min(bytes.size(), sizeof out_ - used_);
    std::memcpy(out_ + used_, bytes.data(), n);
    used_ += n;
    bytes.remove_prefix(n);
  }
}

void BodyHasher::Flush() {
  sha_.Update(std::string_view(out_, used_));
  used_ = 0;
}

Result<Digest> BodyHasher::Final() {
  if (pending_cr_) { pending_cr_ = false; Content('\r'); }
  pending_space_ = false;  // trailing WSP of an unterminated last line
  if (any_content_ || !relaxed_) { EmitByte('\r'); EmitByte('\n'); }
  Flush();
  return sha_.Final();
}

}  // namespace sendguard::dkim

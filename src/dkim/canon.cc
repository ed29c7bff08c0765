// dkim/canon.cc — simple and relaxed canonicalization (RFC 6376 3.4.1-3.4.4).
#include "dkim/canon.h"

#include <cctype>

namespace sendguard::dkim {
namespace {

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Relaxed value: unfold, runs of WSP -> one SP, no WSP at either end.
std::string RelaxedValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;
    if (IsWsp(c)) { space = true; continue; }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string RelaxedName(std::string_view name) {
  while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
  return Lower(name);
}

}  // namespace

std::string CanonicalHeader(Canon canon, std::string_view name, std::string_view value) {
  if (canon == Canon::kSimple) {
    std::string out(name);
    out.append(":").append(value).append("\r\n");
    return out;
  }
  return RelaxedName(name) + ":" + RelaxedValue(value) + "\r\n";
}

// Runs of ordinary bytes are copied in one go; CR and (relaxed) WSP go
// through the byte state machine.
void BodyHasher::Update(std::string_view chunk) {
  size_t i = 0;
  while (i < chunk.size()) {
    size_t j = i;
    if (!pending_cr_)
      while (j < chunk.size() && chunk[j] != '\r' && !(relaxed_ && IsWsp(chunk[j]))) ++j;
    if (j > i) {
      ContentRun(chunk.substr(i, j - i));
      i = j;
    } else {
      Byte(chunk[i++]);
    }
    if (out_.size() >= 16384) Flush();
  }
}

void BodyHasher::ContentRun(std::string_view run) {
  Content(run[0]);
  out_.append(run.data() + 1, run.size() - 1);
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
  for (; pending_crlfs_ > 0; --pending_crlfs_) { Emit('\r'); Emit('\n'); }
  if (pending_space_) { Emit(' '); pending_space_ = false; }
  any_content_ = true;
  Emit(c);
}

void BodyHasher::Emit(char c) { out_.push_back(c); }

void BodyHasher::Flush() {
  sha_.Update(out_);
  out_.clear();
}

Result<Digest> BodyHasher::Final() {
  if (pending_cr_) { pending_cr_ = false; Content('\r'); }
  pending_space_ = false;  // trailing WSP of an unterminated last line
  if (any_content_ || !relaxed_) { Emit('\r'); Emit('\n'); }
  Flush();
  return sha_.Final();
}

}  // namespace sendguard::dkim

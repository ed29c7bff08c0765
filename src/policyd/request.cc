// policyd/request.cc — line splitting with bounds, name=value parsing.
#include "policyd/request.h"

namespace sendguard::policyd {

const std::string& PolicyRequest::Get(const std::string& name) const {
  static const std::string kEmpty;
  auto it = attributes.find(name);
  return it == attributes.end() ? kEmpty : it->second;
}

void RequestReader::Feed(const char* data, size_t len) {
  if (!error_.empty()) return;
  if (pos_ > 0) {
    pending_.erase(0, pos_);
    pos_ = 0;
  }
  pending_.append(data, len);
}

RequestReader::State RequestReader::Fail(const std::string& why) {
  error_ = why;
  pending_.clear();
  pos_ = 0;
  current_ = PolicyRequest();
  return State::kError;
}

bool RequestReader::TakeLine(std::string* line) {
  size_t nl = pending_.find('\n', pos_);
  if (nl == std::string::npos) return false;
  size_t end = nl > pos_ && pending_[nl - 1] == '\r' ? nl - 1 : nl;
  line->assign(pending_, pos_, end - pos_);
  pos_ = nl + 1;
  return true;
}

RequestReader::State RequestReader::AddLine(const std::string& line, PolicyRequest* out) {
  if (line.empty()) {
    if (current_.attributes.empty()) return Fail("empty request");
    *out = std::move(current_);
    current_ = PolicyRequest();
    current_bytes_ = 0;
    return State::kRequest;
  }
  if (line.size() > kMaxLineBytes) return Fail("line longer than " + std::to_string(kMaxLineBytes) + " bytes");
  size_t eq = line.find('=');
  if (eq == std::string::npos || eq == 0) return Fail("not a name=value line");
  if (line.find('\0') != std::string::npos) return Fail("NUL byte in a line");
  current_bytes_ += line.size() + 1;
  if (current_bytes_ > kMaxRequestBytes) return Fail("request larger than " + std::to_string(kMaxRequestBytes) + " bytes");
  current_.attributes[line.substr(0, eq)] = line.substr(eq + 1);
  if (current_.attributes.size() > kMaxAttributes) {
    return Fail("more than " + std::to_string(kMaxAttributes) + " attributes");
  }
  return State::kNeedMore;
}

RequestReader::State RequestReader::Next(PolicyRequest* out) {
  if (!error_.empty()) return State::kError;
  std::string line;
  while (TakeLine(&line)) {
    State s = AddLine(line, out);
    if (s != State::kNeedMore) return s;
  }
  if (pending_.size() - pos_ > kMaxLineBytes) {
    return Fail("line longer than " + std::to_string(kMaxLineBytes) + " bytes");
  }
  return State::kNeedMore;
}

std::string FormatAnswer(const std::string& action) {
  std::string clean = action;
  for (char& c : clean) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  return "action=" + clean + "\n\n";
}

}  // namespace sendguard::policyd

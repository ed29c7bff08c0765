// policyd/request.h — Postfix's SMTPD policy protocol on the wire
// (SMTPD_POLICY_README): a request is "name=value" lines ended by an empty
// line; the answer is "action=..." and an empty line. Requests may be
// pipelined on one connection.
//
// Contract: RequestReader takes bytes as they arrive and hands out complete
// requests. Unknown attributes are kept and ignored by the caller, as the
// protocol requires; a repeated one keeps its last value. A line without
// '=' or with a NUL, a line longer than kMaxLineBytes, more than
// kMaxAttributes lines, or more than kMaxRequestBytes in one request is a
// protocol error: the reader stops (error() says why) and the connection
// must be closed. So memory per connection stays below kMaxRequestBytes plus
// one read. CR before LF is accepted.
// Thread-safety: one reader per connection, used by one thread at a time.
#ifndef SENDGUARD_POLICYD_REQUEST_H_
#define SENDGUARD_POLICYD_REQUEST_H_

#include <cstddef>
#include <map>
#include <string>

namespace sendguard::policyd {

constexpr size_t kMaxLineBytes = 4096;
constexpr size_t kMaxAttributes = 200;
constexpr size_t kMaxRequestBytes = 64 * 1024;

struct PolicyRequest {
  std::map<std::string, std::string> attributes;
  // The value of `name`, "" when absent.
  const std::string& Get(const std::string& name) const;
};

class RequestReader {
 public:
  enum class State { kNeedMore, kRequest, kError };

  // Appends bytes; call Next() until it stops returning kRequest.
  void Feed(const char* data, size_t len);
  State Next(PolicyRequest* out);

  // Part of a request has arrived (for the request timeout).
  bool Partial() const { return pending_.size() > pos_ || !current_.attributes.empty(); }
  const std::string& error() const { return error_; }

 private:
  State Fail(const std::string& why);
  bool TakeLine(std::string* line);
  State AddLine(const std::string& line, PolicyRequest* out);

  std::string pending_;  // bytes after the last complete line
  size_t pos_ = 0;       // parsed up to here
  PolicyRequest current_;
  size_t current_bytes_ = 0;
  std::string error_;
};

// "action=TEXT\n\n" with CR, LF and NUL of TEXT replaced by spaces.
std::string FormatAnswer(const std::string& action);

}  // namespace sendguard::policyd

#endif  // SENDGUARD_POLICYD_REQUEST_H_

// core/status.h — Status and Result<T>: how every sendguard module reports
// success or failure without exceptions.
//
// Contract: a Status is either ok() or carries a Code and a human message that
// already names where the problem is (file:line, key, host...). Result<T> holds
// either a value or a non-ok Status. Both are plain values: copy them freely.
// Thread-safety: immutable after construction; safe to share between threads.
#ifndef SENDGUARD_CORE_STATUS_H_
#define SENDGUARD_CORE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace sendguard {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad input: config line, rule, message, CLI argument
    kNotFound,         // a lookup found nothing (not an error by itself)
    kIoError,          // file or socket failure
    kUnavailable,      // a backing service (store, DNS, Redis) cannot answer
    kInternal,         // a bug or an engine failure (e.g. RE2 DFA out of memory)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }

  // "invalid argument: policies/quota.conf:3: unknown class 'x'"
  std::string ToString() const;

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: a value or an error Status. Accessing value() of an error is a bug
// (asserts in debug builds).
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {   // NOLINT: implicit by design
    assert(!status_.ok() && "Result built from an ok Status without a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  const T& value() const& { assert(ok()); return *value_; }
  T& value() & { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const T& operator*() const { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace sendguard

#endif  // SENDGUARD_CORE_STATUS_H_

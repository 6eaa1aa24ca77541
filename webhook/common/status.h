// Status and Result<T>: errors as values, so module edges never leak exceptions.
// Thread-safety: value types; safe to copy between threads.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pullguard {

// When to use each code:
//   kInvalidArgument: the caller's input is malformed (a bad reference, a bad policy file).
//   kNotFound:        a named thing (file, key) does not exist.
//   kUnavailable:     a transient failure; retrying later may succeed.
//   kDeadlineExceeded: the operation ran out of time.
//   kInternal:        a bug or an unexpected library failure.
enum class StatusCode { kOk, kInvalidArgument, kNotFound, kUnavailable, kDeadlineExceeded, kInternal };

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok(). On an error it aborts with the error's message, as absl::StatusOr does:
  // reading a value that is not there is a bug to find at once, never undefined behaviour.
  const T& value() const& { return Checked(); }
  T& value() & { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  const T* operator->() const { return &Checked(); }
  const T& operator*() const { return Checked(); }

 private:
  T& Checked() const {
    if (!value_.has_value()) {
      std::fprintf(stderr, "pullguard: Result::value() on an error: %s\n", status_.message().c_str());
      std::abort();
    }
    return const_cast<T&>(*value_);
  }

  std::optional<T> value_;
  Status status_;
};

#define PULLGUARD_CONCAT_INNER(a, b) a##b
#define PULLGUARD_CONCAT(a, b) PULLGUARD_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::pullguard::Status _st = (expr);          \
    if (!_st.ok()) return _st;                 \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(PULLGUARD_CONCAT(_result_, __LINE__), lhs, expr)

}  // namespace pullguard

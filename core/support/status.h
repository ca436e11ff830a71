// Status and StatusOr: errors as values for everything in core/.
#pragma once

#include <cassert>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ramiel {

// Kinds of failure a caller can act on; the server maps them to gRPC codes.
enum class StatusCode {
  kOk,
  kInvalidArgument,  // bad model, bad options: the user must change the input
  kUnimplemented,    // a valid model that uses something Ramiel does not support
  kNotFound,         // a named file, input or value does not exist
  kCancelled,        // the caller asked to stop
  kDeadlineExceeded,
  kResourceExhausted,
  kInternal,  // a bug in Ramiel
};

const char* status_code_name(StatusCode code);

// The longest message a Status carries, in bytes. Messages quote model content (names,
// attribute values, ONNX checker text); longer ones are cut, so no input can make an error
// (or the log line and RPC that carry it) arbitrarily large.
inline constexpr size_t kMaxStatusMessageBytes = 4096;

// `message` made safe to carry anywhere: invalid UTF-8 and control characters other than
// newline and tab become '?', and a message over kMaxStatusMessageBytes is cut at a character
// boundary and ends with a note of its full size.
std::string bounded_message(std::string message);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(bounded_message(std::move(message))) {}

  static Status ok_status() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: message", for logs and the CLI.
  std::string to_string() const;

  // Returns a copy whose message is prefixed with `context` ("while importing x: ...").
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status ok_status() { return {}; }
inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok() && "StatusOr needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  Status status() const { return ok() ? Status() : std::get<Status>(state_); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace ramiel

#define RAMIEL_CONCAT_INNER(a, b) a##b
#define RAMIEL_CONCAT(a, b) RAMIEL_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function when it is an error.
#define RAMIEL_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::ramiel::Status ramiel_status_ = (expr);        \
    if (!ramiel_status_.ok()) return ramiel_status_; \
  } while (false)

// `RAMIEL_ASSIGN_OR_RETURN(auto x, f());` binds the value of a StatusOr or returns its error.
#define RAMIEL_ASSIGN_OR_RETURN(lhs, expr) \
  RAMIEL_ASSIGN_OR_RETURN_IMPL(RAMIEL_CONCAT(ramiel_statusor_, __LINE__), lhs, expr)
#define RAMIEL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

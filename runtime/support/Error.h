//===- Error.h - Error values for code that must not throw ------*- C++ -*-===//
//
// The runtime and the GGUF library report failures as values: they are linked
// into LLVM tools built with -fno-exceptions and into compiled models. An Error
// carries a complete, human-readable message that names the file, the field or
// tensor and, for file formats, the byte offset.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_SUPPORT_ERROR_H
#define TERNC_RUNTIME_SUPPORT_ERROR_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace ternc {

/// A failure with a message meant for the user.
class Error {
public:
  explicit Error(std::string message) : message_(std::move(message)) {}

  /// The complete message, e.g. "m.gguf: offset 24: tensor_count: ...".
  const std::string &message() const { return message_; }

private:
  std::string message_;
};

/// Builds an Error from a fmt format string.
template <typename... Args>
Error makeError(fmt::format_string<Args...> format, Args &&...args) {
  return Error(fmt::format(format, std::forward<Args>(args)...));
}

/// The outcome of an operation that produces no value.
class [[nodiscard]] Status {
public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}

  /// A successful status.
  static Status success() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  /// The error; only valid when !ok().
  const Error &error() const {
    assert(error_ && "no error in a successful Status");
    return *error_;
  }

private:
  std::optional<Error> error_;
};

/// Either a value of type T or an Error.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}
  Expected(Status status) : storage_(std::in_place_index<1>, status.error()) {
    assert(!status.ok() && "an Expected needs a value or a failure");
  }

  bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T &operator*() { return std::get<0>(storage_); }
  const T &operator*() const { return std::get<0>(storage_); }
  T *operator->() { return &std::get<0>(storage_); }
  const T *operator->() const { return &std::get<0>(storage_); }
  /// Moves the value out; only valid when ok().
  T take() { return std::move(std::get<0>(storage_)); }
  /// The error; only valid when !ok().
  const Error &error() const { return std::get<1>(storage_); }
  /// The failure as a Status; only valid when !ok().
  Status status() const { return Status(error()); }

private:
  std::variant<T, Error> storage_;
};

} // namespace ternc

/// Evaluates a Status-returning expression and returns its error, if any, from
/// the enclosing function (which must return Status or Expected<T>).
#define TERNC_RETURN_IF_ERROR(expr)                                            \
  do {                                                                         \
    ::ternc::Status ternc_status_ = (expr);                                    \
    if (!ternc_status_.ok())                                                   \
      return ternc_status_.error();                                            \
  } while (false)

#endif // TERNC_RUNTIME_SUPPORT_ERROR_H

// Reference errors: the kinds of distribution/reference and go-digest, with their upstream
// messages, plus pullguard's own more specific explanation where upstream says only
// "invalid reference format".
// Thread-safety: value types.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pullguard::reference {

enum class ErrorKind {
  kReferenceInvalidFormat,  // "invalid reference format"
  kTagInvalidFormat,        // "invalid tag format"
  kDigestInvalidFormat,     // "invalid digest format" (the reference's digest pattern)
  kNameContainsUppercase,   // "repository name must be lowercase"
  kNameEmpty,               // "repository name must have at least one component"
  kNameTooLong,             // "repository name must not be more than 255 characters"
  kNameNotCanonical,        // "repository name must be canonical"
  kChecksumInvalidFormat,   // go-digest: "invalid checksum digest format"
  kChecksumInvalidLength,   // go-digest: "invalid checksum digest length"
  kDigestUnsupported,       // go-digest: "unsupported digest algorithm"
  kNameIsIdentifier,        // a bare 64-hex string: ambiguous with an image ID
};

// The upstream message for a kind.
const char* UpstreamMessage(ErrorKind kind);

struct Error {
  ErrorKind kind;
  std::string message;  // upstream's words (conformance tests compare these)
  std::string detail;   // pullguard's specific explanation; empty when `message` says it all

  // What pullguard shows users: the detail when there is one.
  const std::string& Explanation() const { return detail.empty() ? message : detail; }
};

Error MakeError(ErrorKind kind, std::string detail = {});

// A value or an Error.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}   // NOLINT: implicit by design
  Expected(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: ok()
  const T& value() const { return std::get<T>(v_); }
  T& value() { return std::get<T>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  // REQUIRES: !ok()
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace pullguard::reference

#include "reference/digest.h"

#include <string>

#include "reference/grammar.h"

namespace pullguard::reference {

const std::vector<DigestAlgorithm>& DefaultAlgorithms() {
  static const std::vector<DigestAlgorithm> algorithms{{"sha256", 64}, {"sha384", 96}, {"sha512", 128}};
  return algorithms;
}

std::optional<Error> ValidateDigest(std::string_view digest, const std::vector<DigestAlgorithm>& algorithms) {
  size_t colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == digest.size()) {
    return MakeError(ErrorKind::kChecksumInvalidFormat, "a digest is ALGORITHM:HEX, e.g. sha256:<64 hex characters>");
  }
  std::string_view algorithm = digest.substr(0, colon);
  std::string_view hex = digest.substr(colon + 1);
  const DigestAlgorithm* known = nullptr;
  for (const auto& a : algorithms) {
    if (a.name == algorithm) known = &a;
  }
  if (known == nullptr) {
    if (!IsDigestPattern(digest)) return MakeError(ErrorKind::kChecksumInvalidFormat);
    std::string names;
    for (const auto& a : algorithms) names += (names.empty() ? "" : " or ") + std::string(a.name);
    return MakeError(ErrorKind::kDigestUnsupported,
                     "unsupported digest algorithm \"" + std::string(algorithm) + "\" (use " + names + ")");
  }
  if (hex.size() != known->hex_length) {
    return MakeError(ErrorKind::kChecksumInvalidLength,
                     "invalid checksum digest length: " + std::string(algorithm) + " has " +
                         std::to_string(known->hex_length) + " hex characters, not " + std::to_string(hex.size()));
  }
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return MakeError(ErrorKind::kChecksumInvalidFormat,
                       "invalid checksum digest format: the hex part must be lowercase 0-9a-f");
    }
  }
  return std::nullopt;
}

}  // namespace pullguard::reference

// Digest validation, as go-digest's Digest.Validate: "algorithm:hex" with the hex length and
// alphabet the algorithm fixes. Which algorithms are known is a parameter, because upstream's
// answer depends on what its binary registered (its tests register only sha256).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "reference/error.h"

namespace pullguard::reference {

struct DigestAlgorithm {
  std::string_view name;  // "sha256"
  size_t hex_length;      // 64
};

// sha256, sha384 and sha512: what go-digest registers, so what containerd accepts.
const std::vector<DigestAlgorithm>& DefaultAlgorithms();

// Returns the error go-digest's Validate would give, or nullopt when `digest` is valid.
std::optional<Error> ValidateDigest(std::string_view digest,
                                    const std::vector<DigestAlgorithm>& algorithms = DefaultAlgorithms());

}  // namespace pullguard::reference

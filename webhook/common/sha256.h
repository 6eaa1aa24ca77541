// SHA-256 as lowercase hex, the one place it is computed (manifest digests, credential
// identities).
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace pullguard {

// 64 lowercase hex characters.
std::string Sha256Hex(std::string_view bytes);

}  // namespace pullguard

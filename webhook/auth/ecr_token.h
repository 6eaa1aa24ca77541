// ECR authorization tokens: what ecr-credential-provider (and `aws ecr get-login-password`)
// hand out is user "AWS" with a password that is base64 of a JSON object
// {"payload", "datakey", "version", "type", "expiration"}, the expiration in epoch seconds.
// Knowing it says when a credential stops working (ECR tokens last 12 hours).
// Thread-safety: pure function.
#pragma once

#include <chrono>
#include <optional>

#include "auth/keyring.h"

namespace pullguard::auth {

// When the token expires; nullopt when `credential` is not an ECR token. Never fails loudly:
// nothing of the password reaches an error.
std::optional<std::chrono::system_clock::time_point> EcrTokenExpiry(const Credential& credential);

}  // namespace pullguard::auth

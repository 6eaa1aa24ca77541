// Reads a policy file. Errors name the file, line and column, and every problem is reported at
// once (a user fixing a ConfigMap wants the whole list). Unknown keys are errors: a typo must
// not silently turn a rule off.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "policy/policy.h"

namespace pullguard::policy {

// `source` names the text in messages (a path, or "<stdin>").
Result<Policy> ParsePolicy(std::string_view yaml_text, std::string_view source);
Result<Policy> LoadPolicyFile(const std::string& path);

}  // namespace pullguard::policy

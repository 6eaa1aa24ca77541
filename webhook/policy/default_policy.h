// The policy in force when none is given: policies/default.yaml itself, embedded at build
// time, so `serve` and `check` without --policy behave exactly as with that file.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "policy/policy.h"

namespace pullguard::policy {

// The text of policies/default.yaml as it was when pullguard was built.
std::string_view DefaultPolicyText();
// That text, parsed. It always parses (a test says so); a broken build aborts loudly.
const Policy& DefaultPolicy();

}  // namespace pullguard::policy

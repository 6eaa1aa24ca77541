// The policy in force when none is given: a Policy{} (every default is written once, in
// policy.h). policies/default.yaml spells the same policy out, and a test holds them equal.
// Thread-safety: pure functions.
#pragma once

#include "policy/policy.h"

namespace pullguard::policy {

const Policy& DefaultPolicy();

}  // namespace pullguard::policy

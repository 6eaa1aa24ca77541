// Checker: the engine the webhook and `pullguard check` share. For each image it parses the
// reference, applies the policy's image rules, and (when a probe is given) asks the registry.
// Thread-safety: Check() may be called concurrently; the checker holds no mutable state.
#pragma once

#include <string>
#include <vector>

#include "checker/image_use.h"
#include "common/finding.h"
#include "policy/policy.h"

namespace pullguard::checker {

struct CheckRequest {
  std::string ns;                 // namespace of the object; "" outside a cluster
  std::vector<ImageUse> images;   // every image to check, with its field path
};

class Checker {
 public:
  // Findings for every image that is not exempt, in the order of `request.images`.
  // PolicyViolation findings carry their rule's action; the others get theirs from
  // policy::Decide.
  std::vector<Finding> Check(const CheckRequest& request, const policy::Policy& policy) const;
};

}  // namespace pullguard::checker

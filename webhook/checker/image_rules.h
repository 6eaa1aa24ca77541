// The policy's image rules (allowed registries, :latest, digests) and the syntax check, for one
// image. No I/O.
// Thread-safety: pure functions.
#pragma once

#include <vector>

#include "checker/pod.h"
#include "common/finding.h"
#include "policy/policy.h"
#include "reference/image.h"

namespace pullguard::checker {

// An InvalidReference finding for an image that does not parse, with what to write instead
// where that can be known.
Finding InvalidReferenceFinding(const ImageUse& use, const reference::Error& error);

// PolicyViolation findings for a parsed image.
std::vector<Finding> RuleFindings(const ImageUse& use, const reference::Image& image, const policy::Policy& policy);

}  // namespace pullguard::checker

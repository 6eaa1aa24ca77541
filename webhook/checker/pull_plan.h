// The first stage of a pod's check, with no I/O: each distinct image parsed once, what the
// syntax and the policy's rules say, and which images the kubelet would pull (to be asked of
// their registries) or never pull (imagePullPolicy Never: only the nodes matter).
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "checker/pod.h"
#include "common/finding.h"
#include "policy/policy.h"
#include "reference/image.h"

namespace pullguard::checker {

struct ParsedImage {
  reference::Image image;
  std::string normalized;  // docker.io/library/nginx:latest
};

// One use of a parsed image.
struct PlannedUse {
  const ImageUse* use;
  size_t parsed;  // index into PullPlan::parsed
};

struct PullPlan {
  std::vector<ParsedImage> parsed;  // the distinct images as written, each parsed once
  std::vector<Finding> findings;    // syntax, rules, and offline guesses
  std::vector<PlannedUse> to_probe;      // pulled by the kubelet: asked of the registry
  std::vector<PlannedUse> never_pulled;  // imagePullPolicy Never: looked for on the nodes
  size_t images = 0;  // images checked (new, not exempt or known)
  // An image the kubelet pulls that no registry check covers (exempt, a registry not allowed):
  // nothing tells whether the pod's credentials pull it.
  bool unchecked_pulls = false;
};

// `probing`: registries will be asked (else an offline guess is said where the grammar reads a
// host that was most likely meant as a Docker Hub name).
PullPlan PlanPulls(const PodToCheck& pod, const policy::Policy& policy, bool probing);

}  // namespace pullguard::checker

// A pod spec as the checker sees it, whatever object carried it, and the answer.
// admission/ decodes it from a Pod or any pod template; `pullguard check` from manifests.
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "auth/credential_resolver.h"
#include "checker/image_use.h"
#include "checker/placement.h"
#include "common/finding.h"

namespace pullguard::checker {

struct PodSpec {
  std::vector<ImageUse> images;  // init containers, containers, ephemeral containers, image volumes
  std::vector<auth::SecretRef> pull_secrets;
  std::string service_account;        // serviceAccountName, else serviceAccount; "" for default
  std::string service_account_field;  // the field that named it, e.g. spec.template.spec.serviceAccountName
  Placement placement;  // nodeName, nodeSelector, required node affinity, tolerations
};

struct PodToCheck {
  // "Pod" or the kind carrying a pod template: the API server merges the ServiceAccount's
  // pull secrets into Pods only, so templates get them from the checker.
  std::string kind;
  std::string ns;
  std::string prefix;  // the pod spec's field path: spec, spec.template.spec, ...
  PodSpec spec;
  // Images the object already ran (UPDATE's oldObject): checked when they came in.
  std::vector<std::string> known_images;
  // Who asks (a review's uid): callers take turns at each registry.
  std::string tenant;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::now() + std::chrono::seconds(9);
};

struct PodReport {
  std::vector<Finding> findings;  // actions not yet decided (policy::Decide does)
  size_t images = 0;              // images checked (new, not exempt or known)
};

}  // namespace pullguard::checker

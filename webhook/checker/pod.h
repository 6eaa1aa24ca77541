// What the checker is asked about one pod (its spec, namespace, deadline) and its answer.
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/finding.h"
#include "workload/pod.h"

namespace pullguard::checker {

// The pod model is workload/'s; the checker speaks of it by these names.
using workload::ImageUse;
using workload::PodSpec;

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
  // When the caller stops waiting. REQUIRED: there is no default (left unset, it lies in the
  // past and every registry check times out at once, which a test would see).
  std::chrono::steady_clock::time_point deadline;
};

struct PodReport {
  std::vector<Finding> findings;  // actions not yet decided (policy::Decide does)
  size_t images = 0;              // images checked (new, not exempt or known)
};

}  // namespace pullguard::checker

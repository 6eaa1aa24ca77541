// The distinct registry checks a set of workloads needs: one per image (normalized, as the
// kubelet reads it: "nginx" is docker.io/library/nginx:latest) and credential context (the
// namespace, the pod's imagePullSecrets and, for a pod template, its ServiceAccount, whose
// pull secrets the API server merges into the pods it creates). Workloads sharing an image
// in one context share its check: a cycle's checker answers the second from its cache, or
// joins the first in flight, so N workloads over M images cost M checks (fewer when contexts
// come to the same credentials: anonymous pulls in several namespaces are one check).
// Images with imagePullPolicy Never are not pulled, so they need no check.
// Thread-safety: pure functions.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "audit/workload.h"

namespace pullguard::audit {

struct ImageCheck {
  std::string image;  // normalized (as written when it does not parse)
  std::string ns;
  std::vector<std::string> pull_secrets;  // sorted, each once
  std::string service_account;            // a template's (default "default"); "" for a Pod
  std::vector<size_t> workloads;          // indexes of the workloads that use it
};

struct ImageDemand {
  size_t image_uses = 0;       // (workload, image) pairs
  size_t never_pulled = 0;     // of them, imagePullPolicy Never
  std::set<std::string> images;  // distinct normalized images pulled
  std::vector<ImageCheck> checks;  // distinct (image, credential context), in first-use order
};

ImageDemand CountDistinctImages(const std::vector<Workload>& workloads);

// The image as the kubelet pulls it (docker.io/library/nginx:latest); as written when it does
// not parse.
std::string NormalizedImage(const std::string& written);

}  // namespace pullguard::audit

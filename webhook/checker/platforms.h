// The platforms a pod's images must offer: the policy's, narrowed by the pod's nodeSelector
// on kubernetes.io/os and kubernetes.io/arch (a pod pinned to arm64 nodes needs only arm64).
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "registry/manifest.h"

namespace pullguard::checker {

// The platforms of the cluster's nodes ("linux/amd64", ...), from the Kubernetes API.
class NodePlatformSource {
 public:
  virtual ~NodePlatformSource() = default;
  virtual Result<std::vector<std::string>> Platforms() = 0;
};

std::vector<registry::Platform> RequiredPlatforms(const std::vector<std::string>& policy_platforms,
                                                  const std::map<std::string, std::string>& node_selector);

}  // namespace pullguard::checker

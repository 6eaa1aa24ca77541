// What pullguard knows of the cluster's nodes: their names, labels, and the images their
// status lists (the kubelet reports at most nodeStatusMaxImages of them, 50 by default,
// largest first: presence is proof, absence is not). The Kubernetes API provides it (kube/);
// the checker asks through this interface, so neither depends on the other.
// Thread-safety: NodeSource implementations are called from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/platform.h"
#include "common/status.h"

namespace pullguard {

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule or NoExecute
};

struct NodeInfo {
  std::string name;
  std::map<std::string, std::string> labels;
  std::vector<std::string> images;  // status.images[].names: tags and name@digest forms
  std::vector<Taint> taints = {};    // spec.taints
};

using NodeList = std::shared_ptr<const std::vector<NodeInfo>>;

class NodeSource {
 public:
  virtual ~NodeSource() = default;
  virtual Result<NodeList> Nodes() = 0;
};

// The platforms of `nodes` (labels kubernetes.io/os and kubernetes.io/arch), each once.
std::vector<Platform> PlatformsOfNodes(const std::vector<NodeInfo>& nodes);
std::vector<Platform> PlatformsOfNodes(const std::vector<const NodeInfo*>& nodes);

}  // namespace pullguard

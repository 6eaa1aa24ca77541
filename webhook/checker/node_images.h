// What the nodes hold, judged as the kubelet judges it: the pull policy the API server gives a
// container, the nodes a pod may land on, and which of them already list an image.
// The kubelet reports at most nodeStatusMaxImages images per node (50 by default, largest
// first), so a node listing an image is proof it holds it, and a node not listing it is not
// proof it lacks it.
// Thread-safety: PullPolicyOf and EligibleNodes are pure; NodeImageIndex is immutable once built.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "checker/placement.h"
#include "common/nodes.h"
#include "reference/image.h"

namespace pullguard::checker {

enum class PullPolicy { kAlways, kIfNotPresent, kNever };

// The container's imagePullPolicy, or the API server's default when unset: Always for a
// ":latest" tag or no tag and no digest, IfNotPresent otherwise. An unknown value is taken as
// Always (the API server refuses it anyway).
PullPolicy PullPolicyOf(const std::string& written, const reference::Image& image);
// The nodes the pod may land on (MayLandOn).
std::vector<const NodeInfo*> EligibleNodes(const std::vector<NodeInfo>& nodes, const Placement& placement);

// The nodes' status.images by normalized name (docker.io/library/nginx:1.25 and
// docker.io/library/nginx@sha256:...), built once per node list.
class NodeImageIndex {
 public:
  explicit NodeImageIndex(const std::vector<NodeInfo>& nodes);
  // The nodes that list the image whose Normalized() form is `normalized`, each once.
  const std::vector<const NodeInfo*>& Holders(const std::string& normalized) const;

 private:
  std::unordered_map<std::string, std::vector<const NodeInfo*>> holders_;
};

// Which of the nodes a pod may land on hold an image: the facts behind a softened finding.
struct NodeHolding {
  bool known = false;        // the node list was read
  size_t eligible = 0;       // nodes the pod may land on
  std::vector<std::string> holders;  // eligible nodes that list the image
  bool prepulled = false;    // the policy lists it under `prepulled`

  bool OnEveryNode() const { return prepulled || (known && eligible > 0 && holders.size() == eligible); }
  bool OnSomeNode() const { return prepulled || !holders.empty(); }
  // "on all 3 nodes the pod may land on (a, b, c)", "on 1 of 3 nodes ... (a)",
  // "listed as pre-pulled in the policy".
  std::string Describe() const;
};

}  // namespace pullguard::checker

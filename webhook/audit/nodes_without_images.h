// The cluster's nodes as the audit gives them to the checker: names, labels and taints (the
// platforms images must run on, where pods may land), without the images the nodes hold. At
// admission, an IfNotPresent image the nodes already hold is never denied for what its
// registry says (the pod starts there); the audit asks whether the next pull works (a
// rollout on a new node, a node replaced), so it judges as a node that holds nothing.
// Thread-safety: Nodes() may be called from any thread (as the source it wraps).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "common/nodes.h"

namespace pullguard::audit {

class NodesWithoutImages : public NodeSource {
 public:
  explicit NodesWithoutImages(NodeSource& inner) : inner_(inner) {}

  Result<NodeList> Nodes() override {
    auto nodes = inner_.Nodes();
    if (!nodes.ok() || nodes.value() == nullptr) return nodes;
    std::lock_guard<std::mutex> lock(mutex_);
    // The same list object while the source's is the same: the checker indexes a list once.
    if (nodes.value() != from_) {
      auto stripped = std::make_shared<std::vector<NodeInfo>>(*nodes.value());
      for (NodeInfo& node : *stripped) node.images.clear();
      from_ = nodes.value();
      stripped_ = std::move(stripped);
    }
    return NodeList(stripped_);
  }

 private:
  NodeSource& inner_;
  std::mutex mutex_;
  NodeList from_;
  NodeList stripped_;
};

}  // namespace pullguard::audit

#include "checker/node_images.h"

namespace pullguard::checker {

PullPolicy PullPolicyOf(const std::string& written, const reference::Image& image) {
  if (written == "Never") return PullPolicy::kNever;
  if (written == "IfNotPresent") return PullPolicy::kIfNotPresent;
  if (written == "Always") return PullPolicy::kAlways;
  if (!written.empty()) return PullPolicy::kAlways;
  // The API server reads the tag alone: "latest" (or none, without a digest) is Always, even
  // beside a digest.
  bool latest = image.ref.tag == "latest" || (image.ref.tag.empty() && !image.HasDigest());
  return latest ? PullPolicy::kAlways : PullPolicy::kIfNotPresent;
}

std::vector<const NodeInfo*> EligibleNodes(const std::vector<NodeInfo>& nodes, const Placement& placement) {
  std::vector<const NodeInfo*> out;
  for (const auto& node : nodes) {
    if (MayLandOn(placement, node)) out.push_back(&node);
  }
  return out;
}

NodeImageIndex::NodeImageIndex(const std::vector<NodeInfo>& nodes) {
  for (const auto& node : nodes) {
    for (const auto& name : node.images) {
      auto image = reference::ParseImage(name);
      if (!image.ok()) continue;  // "<none>@<none>" and the like
      auto& list = holders_[image->Normalized()];
      if (list.empty() || list.back() != &node) list.push_back(&node);
    }
  }
}

const std::vector<const NodeInfo*>& NodeImageIndex::Holders(const std::string& normalized) const {
  static const std::vector<const NodeInfo*> kNone;
  auto it = holders_.find(normalized);
  return it == holders_.end() ? kNone : it->second;
}

std::string NodeHolding::Describe() const {
  if (prepulled && holders.empty()) return "listed as pre-pulled on every node in the policy (prepulled)";
  std::string names;
  for (size_t i = 0; i < holders.size() && i < 3; ++i) names += (i == 0 ? "" : ", ") + holders[i];
  if (holders.size() > 3) names += " and " + std::to_string(holders.size() - 3) + " more";
  std::string count = holders.size() == eligible ? "all " + std::to_string(eligible)
                                                 : std::to_string(holders.size()) + " of " + std::to_string(eligible);
  return "on " + count + " node" + (eligible == 1 ? "" : "s") + " the pod may land on (" + names + ")";
}

}  // namespace pullguard::checker

#include "common/nodes.h"

#include <algorithm>

namespace pullguard {

std::vector<Platform> PlatformsOfNodes(const std::vector<const NodeInfo*>& nodes) {
  std::vector<Platform> out;
  for (const NodeInfo* node : nodes) {
    auto os = node->labels.find("kubernetes.io/os");
    auto arch = node->labels.find("kubernetes.io/arch");
    if (os == node->labels.end() || arch == node->labels.end() || os->second.empty() || arch->second.empty()) continue;
    Platform p{os->second, arch->second, ""};
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const Platform& a, const Platform& b) { return a.ToString() < b.ToString(); });
  return out;
}

std::vector<Platform> PlatformsOfNodes(const std::vector<NodeInfo>& nodes) {
  std::vector<const NodeInfo*> all;
  all.reserve(nodes.size());
  for (const auto& node : nodes) all.push_back(&node);
  return PlatformsOfNodes(all);
}

}  // namespace pullguard

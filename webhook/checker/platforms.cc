#include "checker/platforms.h"

namespace pullguard::checker {

std::vector<Platform> RequiredPlatforms(const std::vector<Platform>& node_platforms,
                                        const std::map<std::string, std::string>& node_selector) {
  auto os = node_selector.find("kubernetes.io/os");
  auto arch = node_selector.find("kubernetes.io/arch");
  if (os == node_selector.end() && arch == node_selector.end()) return node_platforms;
  std::vector<Platform> narrowed;
  for (const auto& p : node_platforms) {
    if (os != node_selector.end() && p.os != os->second) continue;
    if (arch != node_selector.end() && p.architecture != arch->second) continue;
    narrowed.push_back(p);
  }
  // Pinned to an architecture the list does not have: that is what the nodes need (linux
  // unless the selector says otherwise).
  if (narrowed.empty() && arch != node_selector.end()) {
    narrowed.push_back({os != node_selector.end() ? os->second : "linux", arch->second, ""});
  }
  return narrowed;
}

}  // namespace pullguard::checker

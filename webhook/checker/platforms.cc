#include "checker/platforms.h"

namespace pullguard::checker {

std::vector<registry::Platform> RequiredPlatforms(const std::vector<std::string>& policy_platforms,
                                                  const std::map<std::string, std::string>& node_selector) {
  std::vector<registry::Platform> required;
  for (const auto& text : policy_platforms) {
    if (auto p = registry::Platform::Parse(text)) required.push_back(*p);
  }
  auto os = node_selector.find("kubernetes.io/os");
  auto arch = node_selector.find("kubernetes.io/arch");
  if (os == node_selector.end() && arch == node_selector.end()) return required;
  std::vector<registry::Platform> narrowed;
  for (const auto& p : required) {
    if (os != node_selector.end() && p.os != os->second) continue;
    if (arch != node_selector.end() && p.architecture != arch->second) continue;
    narrowed.push_back(p);
  }
  // Pinned to an architecture the policy does not list: that is what the nodes need (linux
  // unless the selector says otherwise).
  if (narrowed.empty() && arch != node_selector.end()) {
    narrowed.push_back({os != node_selector.end() ? os->second : "linux", arch->second, ""});
  }
  return narrowed;
}

}  // namespace pullguard::checker

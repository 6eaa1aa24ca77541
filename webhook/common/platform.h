// Platform: an image's os/architecture/variant, and which platforms a node accepts, the way
// containerd's platforms.Only matches them (an amd64 node also runs 386 images, an arm64 node
// arm/v8..v5, arm/v7 also v6 and v5).
// Thread-safety: value type and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pullguard {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;  // may be empty

  // "linux/arm64" or "linux/arm/v7".
  std::string ToString() const;
  // os/arch or os/arch/variant; nullopt for anything else.
  static std::optional<Platform> Parse(const std::string& text);
  // Does a node of platform `node` run an image made for this platform? As containerd's
  // platforms.Only(node): the node's own platform, then what it can also run.
  bool RunsOn(const Platform& node) const;
  bool operator==(const Platform&) const = default;
};

// What a node of `node`'s platform accepts, best first (containerd's platformVector).
std::vector<Platform> AcceptedBy(const Platform& node);

}  // namespace pullguard

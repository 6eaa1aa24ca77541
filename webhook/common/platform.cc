#include "common/platform.h"

namespace pullguard {
namespace {

// containerd normalizes arm64's variant to v8 and treats an empty arm64 variant as v8.
std::string ArmVariant(const Platform& p) {
  if (p.architecture == "arm64") return p.variant.empty() ? "v8" : p.variant;
  return p.variant;
}

int ArmVersion(const std::string& variant) {
  if (variant.size() < 2 || variant[0] != 'v') return 0;
  int v = 0;
  for (size_t i = 1; i < variant.size(); ++i) {
    if (variant[i] < '0' || variant[i] > '9') return 0;
    v = v * 10 + (variant[i] - '0');
    if (v > 100) return 0;
  }
  return v;
}

bool SameVariant(const Platform& offered, const Platform& wanted) {
  if (wanted.architecture == "arm64") return ArmVariant(offered) == ArmVariant(wanted);
  // A wanted platform without a variant takes any variant of its architecture.
  return wanted.variant.empty() || offered.variant == wanted.variant;
}

}  // namespace

std::string Platform::ToString() const { return os + "/" + architecture + (variant.empty() ? "" : "/" + variant); }

std::optional<Platform> Platform::Parse(const std::string& text) {
  Platform p;
  size_t a = text.find('/');
  if (a == std::string::npos || a == 0) return std::nullopt;
  p.os = text.substr(0, a);
  size_t b = text.find('/', a + 1);
  p.architecture = text.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  if (b != std::string::npos) p.variant = text.substr(b + 1);
  if (p.architecture.empty() || (b != std::string::npos && p.variant.empty())) return std::nullopt;
  if (p.variant.find('/') != std::string::npos) return std::nullopt;
  return p;
}

std::vector<Platform> AcceptedBy(const Platform& node) {
  std::vector<Platform> out{node};
  if (node.architecture == "amd64") {
    out.push_back({node.os, "386", ""});
  } else if (node.architecture == "arm64") {
    std::vector<Platform> arm = AcceptedBy({node.os, "arm", ArmVariant(node)});
    out.insert(out.end(), arm.begin(), arm.end());
  } else if (node.architecture == "arm") {
    for (int v = ArmVersion(node.variant) - 1; v >= 5; --v) out.push_back({node.os, "arm", "v" + std::to_string(v)});
  }
  return out;
}

bool Platform::RunsOn(const Platform& node) const {
  for (const auto& accepted : AcceptedBy(node)) {
    if (os == accepted.os && architecture == accepted.architecture && SameVariant(*this, accepted)) return true;
  }
  return false;
}

}  // namespace pullguard

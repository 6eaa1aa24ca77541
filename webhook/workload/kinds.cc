#include "workload/kinds.h"

#include "workload/pod_spec.h"

namespace pullguard::workload {
namespace {

struct Adapter {
  const char* group;
  const char* kind;
  std::vector<std::string> keys;
};

const std::vector<Adapter>& Adapters() {
  static const std::vector<Adapter> adapters{
      {"", "Pod", {"spec"}},
      {"", "PodTemplate", {"template", "spec"}},
      {"", "ReplicationController", {"spec", "template", "spec"}},
      {"apps", "Deployment", {"spec", "template", "spec"}},
      {"apps", "ReplicaSet", {"spec", "template", "spec"}},
      {"apps", "StatefulSet", {"spec", "template", "spec"}},
      {"apps", "DaemonSet", {"spec", "template", "spec"}},
      {"batch", "Job", {"spec", "template", "spec"}},
      {"batch", "CronJob", {"spec", "jobTemplate", "spec", "template", "spec"}},
  };
  return adapters;
}

}  // namespace

std::optional<PodSpecLocation> LocatePodSpec(const std::string& group, const std::string& kind) {
  for (const auto& a : Adapters()) {
    if (a.group == group && a.kind == kind) {
      std::string prefix;
      for (const auto& k : a.keys) prefix += (prefix.empty() ? "" : ".") + k;
      return PodSpecLocation{a.keys, prefix};
    }
  }
  return std::nullopt;
}

const std::vector<std::string>& KindsWithPodSpec() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> v;
    for (const auto& a : Adapters()) v.push_back(std::string(a.group) + "/" + a.kind);
    return v;
  }();
  return kinds;
}

Result<std::vector<ImageUse>> ImagesOfObject(const std::string& group, const std::string& kind,
                                                      const nlohmann::json& object) {
  std::string prefix;
  ASSIGN_OR_RETURN(const nlohmann::json* spec, FindPodSpec(group, kind, object, &prefix));
  if (spec == nullptr) return std::vector<ImageUse>{};
  return ImagesOfPodSpec(*spec, prefix);
}

Result<std::optional<PodOfKind>> PodOfObject(const std::string& group, const std::string& kind,
                                                       const nlohmann::json& object) {
  std::string prefix;
  ASSIGN_OR_RETURN(const nlohmann::json* spec, FindPodSpec(group, kind, object, &prefix));
  if (spec == nullptr) return std::optional<PodOfKind>{};
  PodOfKind pod;
  pod.kind = kind;
  pod.prefix = prefix;
  ASSIGN_OR_RETURN(pod.spec, DecodePodSpec(*spec, prefix));
  return std::optional<PodOfKind>{std::move(pod)};
}

Result<const nlohmann::json*> FindPodSpec(const std::string& group, const std::string& kind,
                                          const nlohmann::json& object, std::string* prefix) {
  auto location = LocatePodSpec(group, kind);
  if (!location) return static_cast<const nlohmann::json*>(nullptr);
  const nlohmann::json* node = &object;
  std::string path;
  for (const auto& key : location->keys) {
    path += (path.empty() ? "" : ".") + key;
    if (!node->is_object()) return Status::InvalidArgument(path + " is missing");
    auto it = node->find(key);
    if (it == node->end() || it->is_null()) return Status::InvalidArgument(path + " is missing");
    node = &*it;
  }
  *prefix = location->prefix;
  return node;
}

}  // namespace pullguard::workload

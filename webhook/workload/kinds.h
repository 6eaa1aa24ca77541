// Kind adapters: where each kind keeps its pod spec. Every adapter only adds a field-path
// prefix; one pod-spec check (pod_spec.h) does the rest.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "workload/pod.h"
#include "common/status.h"

namespace pullguard::workload {

struct PodSpecLocation {
  std::vector<std::string> keys;  // path of JSON keys from the object to the pod spec
  std::string prefix;             // the same, as a field path: "spec.template.spec"
};

// The pod spec's location for a kind (by API group and kind), or nullopt for kinds without
// one. Pod, PodTemplate, ReplicationController (core); Deployment, ReplicaSet, StatefulSet,
// DaemonSet (apps); Job, CronJob (batch).
std::optional<PodSpecLocation> LocatePodSpec(const std::string& group, const std::string& kind);

// The kinds LocatePodSpec knows, as "group/Kind" ("" group for core).
const std::vector<std::string>& KindsWithPodSpec();

// The pod spec inside `object` (nullptr for kinds without one), with its path in `*prefix`.
Result<const nlohmann::json*> FindPodSpec(const std::string& group, const std::string& kind,
                                          const nlohmann::json& object, std::string* prefix);

// Images of `object` of that kind. An object without the pod spec at its place (a partial
// manifest) yields InvalidArgument naming the missing field.
Result<std::vector<ImageUse>> ImagesOfObject(const std::string& group, const std::string& kind,
                                                      const nlohmann::json& object);

// A kind's pod: the kind, the pod spec's field path and the decoded spec.
struct PodOfKind {
  std::string kind;
  std::string prefix;  // spec, spec.template.spec, ...
  PodSpec spec;
};

// The pod of `object`, or nullopt for kinds without a pod spec.
Result<std::optional<PodOfKind>> PodOfObject(const std::string& group, const std::string& kind,
                                                       const nlohmann::json& object);

}  // namespace pullguard::workload

// Decoding a pod spec (JSON) into the pod model (pod.h): images with their field paths
// (init containers, containers, ephemeral containers, image volumes), imagePullSecrets, the
// ServiceAccount, and where the pod may land (nodeName, nodeSelector, required node affinity,
// tolerations). A field of the wrong type is InvalidArgument naming the field, never an
// exception.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "workload/pod.h"
#include "common/status.h"

namespace pullguard::workload {

// `prefix` is the path of the pod spec itself, e.g. "spec.template.spec".
Result<PodSpec> DecodePodSpec(const nlohmann::json& pod_spec, const std::string& prefix);

// Only the images (for UPDATE's oldObject): as DecodePodSpec, the rest not looked at.
Result<std::vector<ImageUse>> ImagesOfPodSpec(const nlohmann::json& pod_spec, const std::string& prefix);

}  // namespace pullguard::workload

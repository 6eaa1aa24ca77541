// The images of a pod spec: containers, initContainers, ephemeralContainers and image volumes
// (volumes[].image.reference), each with its field path under a prefix.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <map>

#include "checker/image_use.h"
#include "checker/pod_credentials.h"
#include "common/status.h"

namespace pullguard::admission {

// `prefix` is the path of the pod spec itself, e.g. "spec.template.spec". A wrongly shaped
// spec (containers not a list, an image not a string) is InvalidArgument naming the field.
Result<std::vector<checker::ImageUse>> ImagesOfPodSpec(const nlohmann::json& pod_spec, const std::string& prefix);

// spec.imagePullSecrets, with their paths; entries without a name are skipped.
std::vector<checker::PullSecretRef> PullSecretRefsOfPodSpec(const nlohmann::json& pod_spec, const std::string& prefix);

// spec.nodeSelector (string values only).
std::map<std::string, std::string> NodeSelectorOfPodSpec(const nlohmann::json& pod_spec);

}  // namespace pullguard::admission

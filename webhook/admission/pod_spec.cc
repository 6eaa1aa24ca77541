#include "admission/pod_spec.h"

namespace pullguard::admission {
namespace {

using nlohmann::json;

Status AddContainers(const json& spec, const std::string& prefix, const char* field,
                     std::vector<checker::ImageUse>& out) {
  auto it = spec.find(field);
  if (it == spec.end() || it->is_null()) return Status::Ok();
  std::string path = prefix + "." + field;
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& container = (*it)[i];
    std::string item = path + "[" + std::to_string(i) + "]";
    if (!container.is_object()) return Status::InvalidArgument(item + " must be an object");
    auto image = container.find("image");
    // A template may leave the image out (it is validated as required by the API server);
    // nothing to pull means nothing to check here.
    if (image == container.end() || image->is_null()) continue;
    if (!image->is_string()) return Status::InvalidArgument(item + ".image must be a string");
    out.push_back({item + ".image", image->get<std::string>()});
  }
  return Status::Ok();
}

Status AddImageVolumes(const json& spec, const std::string& prefix, std::vector<checker::ImageUse>& out) {
  auto it = spec.find("volumes");
  if (it == spec.end() || it->is_null()) return Status::Ok();
  std::string path = prefix + ".volumes";
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& volume = (*it)[i];
    if (!volume.is_object()) continue;
    auto image = volume.find("image");
    if (image == volume.end() || !image->is_object()) continue;
    auto ref = image->find("reference");
    std::string item = path + "[" + std::to_string(i) + "].image.reference";
    if (ref == image->end() || ref->is_null()) continue;
    if (!ref->is_string()) return Status::InvalidArgument(item + " must be a string");
    out.push_back({item, ref->get<std::string>()});
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<checker::ImageUse>> ImagesOfPodSpec(const json& pod_spec, const std::string& prefix) {
  if (!pod_spec.is_object()) return Status::InvalidArgument(prefix + " must be an object");
  std::vector<checker::ImageUse> out;
  // The kubelet pulls init containers first; report in that order too.
  RETURN_IF_ERROR(AddContainers(pod_spec, prefix, "initContainers", out));
  RETURN_IF_ERROR(AddContainers(pod_spec, prefix, "containers", out));
  RETURN_IF_ERROR(AddContainers(pod_spec, prefix, "ephemeralContainers", out));
  RETURN_IF_ERROR(AddImageVolumes(pod_spec, prefix, out));
  return out;
}

std::vector<checker::PullSecretRef> PullSecretRefsOfPodSpec(const json& pod_spec, const std::string& prefix) {
  std::vector<checker::PullSecretRef> refs;
  auto it = pod_spec.find("imagePullSecrets");
  if (it == pod_spec.end() || !it->is_array()) return refs;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& ref = (*it)[i];
    if (!ref.is_object()) continue;
    auto name = ref.find("name");
    if (name == ref.end() || !name->is_string() || name->get<std::string>().empty()) continue;
    refs.push_back({prefix + ".imagePullSecrets[" + std::to_string(i) + "]", name->get<std::string>()});
  }
  return refs;
}

std::map<std::string, std::string> NodeSelectorOfPodSpec(const json& pod_spec) {
  std::map<std::string, std::string> out;
  auto it = pod_spec.find("nodeSelector");
  if (it == pod_spec.end() || !it->is_object()) return out;
  for (const auto& [key, value] : it->items()) {
    if (value.is_string()) out[key] = value.get<std::string>();
  }
  return out;
}

}  // namespace pullguard::admission

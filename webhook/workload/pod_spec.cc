#include "workload/pod_spec.h"

namespace pullguard::workload {
namespace {

using nlohmann::json;

// The string at obj[key]: "" when absent or null, an error naming `path` for another type.
Result<std::string> OptionalString(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Status::InvalidArgument(path + " must be a string");
  return it->get<std::string>();
}

Status AddContainers(const json& spec, const std::string& prefix, const char* field, std::vector<ImageUse>& out) {
  auto it = spec.find(field);
  if (it == spec.end() || it->is_null()) return Status::Ok();
  std::string path = prefix + "." + field;
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& container = (*it)[i];
    std::string item = path + "[" + std::to_string(i) + "]";
    if (!container.is_object()) return Status::InvalidArgument(item + " must be an object");
    // A template may leave the image out (the API server validates it as required);
    // nothing to pull means nothing to check here.
    auto image = container.find("image");
    if (image == container.end() || image->is_null()) continue;
    if (!image->is_string()) return Status::InvalidArgument(item + ".image must be a string");
    ASSIGN_OR_RETURN(std::string policy, OptionalString(container, "imagePullPolicy", item + ".imagePullPolicy"));
    out.push_back({item + ".image", image->get<std::string>(), std::move(policy)});
  }
  return Status::Ok();
}

Status AddImageVolumes(const json& spec, const std::string& prefix, std::vector<ImageUse>& out) {
  auto it = spec.find("volumes");
  if (it == spec.end() || it->is_null()) return Status::Ok();
  std::string path = prefix + ".volumes";
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& volume = (*it)[i];
    if (!volume.is_object()) continue;
    auto image = volume.find("image");
    if (image == volume.end() || !image->is_object()) continue;
    std::string item = path + "[" + std::to_string(i) + "].image";
    auto ref = image->find("reference");
    if (ref == image->end() || ref->is_null()) continue;
    if (!ref->is_string()) return Status::InvalidArgument(item + ".reference must be a string");
    ASSIGN_OR_RETURN(std::string policy, OptionalString(*image, "pullPolicy", item + ".pullPolicy"));
    out.push_back({item + ".reference", ref->get<std::string>(), std::move(policy)});
  }
  return Status::Ok();
}

Result<std::vector<PullSecretRef>> PullSecretRefs(const json& spec, const std::string& prefix) {
  std::vector<PullSecretRef> refs;
  auto it = spec.find("imagePullSecrets");
  if (it == spec.end() || it->is_null()) return refs;
  std::string path = prefix + ".imagePullSecrets";
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& ref = (*it)[i];
    std::string item = path + "[" + std::to_string(i) + "]";
    if (!ref.is_object()) return Status::InvalidArgument(item + " must be an object");
    ASSIGN_OR_RETURN(std::string name, OptionalString(ref, "name", item + ".name"));
    if (!name.empty()) refs.push_back({item, name});  // the kubelet skips entries without a name
  }
  return refs;
}

Result<std::map<std::string, std::string>> NodeSelector(const json& spec, const std::string& prefix) {
  std::map<std::string, std::string> out;
  auto it = spec.find("nodeSelector");
  if (it == spec.end() || it->is_null()) return out;
  if (!it->is_object()) return Status::InvalidArgument(prefix + ".nodeSelector must be a mapping");
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string()) return Status::InvalidArgument(prefix + ".nodeSelector." + key + " must be a string");
    out[key] = value.get<std::string>();
  }
  return out;
}

// A list of strings at obj[key] ("" path for errors); empty when absent or null.
Result<std::vector<std::string>> OptionalStrings(const json& obj, const char* key, const std::string& path) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) return Status::InvalidArgument(path + "[" + std::to_string(i) + "] must be a string");
    out.push_back((*it)[i].get<std::string>());
  }
  return out;
}

Result<std::vector<NodeSelectorRequirement>> Requirements(const json& term, const char* key, const std::string& path) {
  std::vector<NodeSelectorRequirement> out;
  auto it = term.find(key);
  if (it == term.end() || it->is_null()) return out;
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& r = (*it)[i];
    std::string item = path + "[" + std::to_string(i) + "]";
    if (!r.is_object()) return Status::InvalidArgument(item + " must be an object");
    NodeSelectorRequirement req;
    ASSIGN_OR_RETURN(req.key, OptionalString(r, "key", item + ".key"));
    ASSIGN_OR_RETURN(req.op, OptionalString(r, "operator", item + ".operator"));
    if (!KnownNodeSelectorOperator(req.op)) {
      return Status::InvalidArgument(item + ".operator must be In, NotIn, Exists, DoesNotExist, Gt or Lt");
    }
    ASSIGN_OR_RETURN(req.values, OptionalStrings(r, "values", item + ".values"));
    out.push_back(std::move(req));
  }
  return out;
}

// affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.
Result<std::optional<std::vector<NodeSelectorTerm>>> RequiredNodeAffinity(const json& spec, const std::string& prefix) {
  std::optional<std::vector<NodeSelectorTerm>> none;
  std::string path = prefix + ".affinity";
  const json* at = &spec;
  for (const char* key : {"affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"}) {
    if (key != std::string("affinity")) path += std::string(".") + key;
    auto it = at->find(key);
    if (it == at->end() || it->is_null()) return none;
    if (!it->is_object()) return Status::InvalidArgument(path + " must be an object");
    at = &*it;
  }
  path += ".nodeSelectorTerms";
  auto it = at->find("nodeSelectorTerms");
  std::vector<NodeSelectorTerm> terms;
  if (it == at->end() || it->is_null()) return std::optional(terms);  // required, yet empty: no node
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& t = (*it)[i];
    std::string item = path + "[" + std::to_string(i) + "]";
    if (!t.is_object()) return Status::InvalidArgument(item + " must be an object");
    NodeSelectorTerm term;
    ASSIGN_OR_RETURN(term.match_expressions, Requirements(t, "matchExpressions", item + ".matchExpressions"));
    ASSIGN_OR_RETURN(term.match_fields, Requirements(t, "matchFields", item + ".matchFields"));
    terms.push_back(std::move(term));
  }
  return std::optional(terms);
}

Result<std::vector<Toleration>> Tolerations(const json& spec, const std::string& prefix) {
  std::vector<Toleration> out;
  auto it = spec.find("tolerations");
  if (it == spec.end() || it->is_null()) return out;
  std::string path = prefix + ".tolerations";
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& t = (*it)[i];
    std::string item = path + "[" + std::to_string(i) + "]";
    if (!t.is_object()) return Status::InvalidArgument(item + " must be an object");
    Toleration toleration;
    ASSIGN_OR_RETURN(toleration.key, OptionalString(t, "key", item + ".key"));
    ASSIGN_OR_RETURN(toleration.op, OptionalString(t, "operator", item + ".operator"));
    if (!KnownTolerationOperator(toleration.op)) return Status::InvalidArgument(item + ".operator must be Equal or Exists");
    ASSIGN_OR_RETURN(toleration.value, OptionalString(t, "value", item + ".value"));
    ASSIGN_OR_RETURN(toleration.effect, OptionalString(t, "effect", item + ".effect"));
    out.push_back(std::move(toleration));
  }
  return out;
}

Result<Placement> PlacementOf(const json& spec, const std::string& prefix) {
  Placement placement;
  ASSIGN_OR_RETURN(placement.node_name, OptionalString(spec, "nodeName", prefix + ".nodeName"));
  ASSIGN_OR_RETURN(placement.node_selector, NodeSelector(spec, prefix));
  ASSIGN_OR_RETURN(placement.required_terms, RequiredNodeAffinity(spec, prefix));
  ASSIGN_OR_RETURN(placement.tolerations, Tolerations(spec, prefix));
  return placement;
}

}  // namespace

Result<std::vector<ImageUse>> ImagesOfPodSpec(const json& pod_spec, const std::string& prefix) {
  if (!pod_spec.is_object()) return Status::InvalidArgument(prefix + " must be an object");
  std::vector<ImageUse> out;
  // The kubelet pulls init containers first; report in that order too.
  RETURN_IF_ERROR(AddContainers(pod_spec, prefix, "initContainers", out));
  RETURN_IF_ERROR(AddContainers(pod_spec, prefix, "containers", out));
  RETURN_IF_ERROR(AddContainers(pod_spec, prefix, "ephemeralContainers", out));
  RETURN_IF_ERROR(AddImageVolumes(pod_spec, prefix, out));
  return out;
}

Result<PodSpec> DecodePodSpec(const json& pod_spec, const std::string& prefix) {
  PodSpec spec;
  ASSIGN_OR_RETURN(spec.images, ImagesOfPodSpec(pod_spec, prefix));
  ASSIGN_OR_RETURN(spec.pull_secrets, PullSecretRefs(pod_spec, prefix));
  ASSIGN_OR_RETURN(spec.placement, PlacementOf(pod_spec, prefix));
  for (const char* field : {"serviceAccountName", "serviceAccount"}) {
    ASSIGN_OR_RETURN(std::string name, OptionalString(pod_spec, field, prefix + "." + field));
    if (!name.empty()) {
      spec.service_account = name;
      spec.service_account_field = prefix + "." + field;
      break;
    }
  }
  return spec;
}

}  // namespace pullguard::workload

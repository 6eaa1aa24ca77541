#include "kube/kube_sources.h"

#include <nlohmann/json.hpp>
#include <set>

namespace pullguard::kube {

Status ApiFailure(const ApiResponse& r, const std::string& resource, const std::string& ns) {
  if (r.status == 0) return Status::Unavailable("the Kubernetes API did not answer (" + r.error + ")");
  if (r.status == 401) return Status::Unavailable("the Kubernetes API rejected pullguard's token (401)");
  if (r.status == 403) {
    return Status::Unavailable("the Kubernetes API forbids pullguard to get " + resource + " in namespace " + ns +
                               " (403); grant it with manifests/base/rbac.yaml");
  }
  return Status::Unavailable("the Kubernetes API answered " + std::to_string(r.status) + " for " + resource);
}

Result<std::optional<auth::PullSecret>> KubeSecretSource::Get(const std::string& ns, const std::string& name) {
  return cache_.Get(ns + "/" + name, [&]() -> Result<std::optional<auth::PullSecret>> {
    ApiResponse r = api_.Get("/api/v1/namespaces/" + ns + "/secrets/" + name);
    if (r.status == 404) return std::optional<auth::PullSecret>{};
    if (r.status != 200) return ApiFailure(r, "secrets", ns);
    auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (doc.is_discarded()) return Status::Unavailable("the Kubernetes API answered a secret that is not JSON");
    auto secret = auth::PullSecretFromObject(doc);
    if (!secret.ok()) return secret.status();
    return std::optional<auth::PullSecret>{std::move(secret).value()};
  });
}

Result<std::optional<std::vector<std::string>>> KubeServiceAccountSource::PullSecretsOf(const std::string& ns,
                                                                                       const std::string& name) {
  return cache_.Get(ns + "/" + name, [&]() -> Result<std::optional<std::vector<std::string>>> {
    ApiResponse r = api_.Get("/api/v1/namespaces/" + ns + "/serviceaccounts/" + name);
    if (r.status == 404) return std::optional<std::vector<std::string>>{};
    if (r.status != 200) return ApiFailure(r, "serviceaccounts", ns);
    auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return Status::Unavailable("the Kubernetes API answered a ServiceAccount that is not JSON");
    std::vector<std::string> names;
    if (auto it = doc.find("imagePullSecrets"); it != doc.end() && it->is_array()) {
      for (const auto& ref : *it) {
        if (ref.is_object() && ref.contains("name") && ref["name"].is_string()) names.push_back(ref["name"]);
      }
    }
    return std::optional<std::vector<std::string>>{names};
  });
}

Result<std::vector<std::string>> KubeNodePlatforms::Platforms() {
  return cache_.Get("nodes", [&]() -> Result<std::vector<std::string>> {
    ApiResponse r = api_.Get("/api/v1/nodes", std::chrono::seconds(3));
    if (r.status != 200) return ApiFailure(r, "nodes", "(cluster)");
    auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("items") || !doc["items"].is_array()) {
      return Status::Unavailable("the Kubernetes API answered a node list that is not one");
    }
    std::set<std::string> platforms;
    for (const auto& node : doc["items"]) {
      const auto labels = node.value("metadata", nlohmann::json::object()).value("labels", nlohmann::json::object());
      std::string os = labels.value("kubernetes.io/os", ""), arch = labels.value("kubernetes.io/arch", "");
      if (!os.empty() && !arch.empty()) platforms.insert(os + "/" + arch);
    }
    return std::vector<std::string>(platforms.begin(), platforms.end());
  });
}

}  // namespace pullguard::kube

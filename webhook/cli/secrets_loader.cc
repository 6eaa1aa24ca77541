#include "cli/secrets_loader.h"

namespace pullguard::cli {

Status AddSecrets(const std::vector<ManifestObject>& manifests, auth::StaticSecretSource& into) {
  for (const auto& m : manifests) {
    if (m.object.value("kind", "") != "Secret") continue;
    auto secret = auth::PullSecretFromObject(m.object);
    if (!secret.ok()) return Status::InvalidArgument(m.file + ": " + secret.status().message());
    into.Add(std::move(secret).value());
  }
  return Status::Ok();
}

Status LoadCredentialManifests(const std::vector<std::string>& paths, auth::StaticSecretSource& secrets,
                               auth::StaticServiceAccountSource& accounts) {
  ASSIGN_OR_RETURN(std::vector<ManifestObject> manifests, ReadManifests(paths));
  RETURN_IF_ERROR(AddSecrets(manifests, secrets));
  for (const auto& m : manifests) {
    if (m.object.value("kind", "") != "ServiceAccount") continue;
    const auto& meta = m.object.value("metadata", nlohmann::json::object());
    std::vector<std::string> names;
    if (auto it = m.object.find("imagePullSecrets"); it != m.object.end() && it->is_array()) {
      for (const auto& ref : *it) {
        if (ref.is_object() && ref.contains("name") && ref["name"].is_string()) names.push_back(ref["name"]);
      }
    }
    accounts.Add(meta.value("namespace", ""), meta.value("name", ""), names);
  }
  return Status::Ok();
}

}  // namespace pullguard::cli

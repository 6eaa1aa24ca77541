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

Status LoadSecrets(const std::vector<std::string>& paths, auth::StaticSecretSource& into) {
  ASSIGN_OR_RETURN(std::vector<ManifestObject> manifests, ReadManifests(paths));
  return AddSecrets(manifests, into);
}

}  // namespace pullguard::cli

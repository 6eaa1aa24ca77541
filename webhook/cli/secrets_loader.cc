#include "cli/secrets_loader.h"

namespace pullguard::cli {

std::string StringField(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string MetadataField(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto meta = object.find("metadata");
  return meta == object.end() ? "" : StringField(*meta, key);
}

std::string NamespaceOf(const nlohmann::json& object, const std::string& fallback) {
  std::string ns = MetadataField(object, "namespace");
  return ns.empty() ? fallback : ns;
}

CredentialObjects AddCredentialObjects(const std::vector<ManifestObject>& manifests, const std::string& default_namespace,
                                       auth::StaticSecretSource& secrets, auth::StaticServiceAccountSource& accounts) {
  CredentialObjects out;
  for (const auto& m : manifests) {
    std::string kind = StringField(m.object, "kind");
    if (kind == "Secret") {
      auto secret = auth::PullSecretFromObject(m.object);
      if (!secret.ok()) {
        out.problems.push_back({m.file, {m.line, "document " + std::to_string(m.document) + ": " + secret.status().message()}});
        continue;
      }
      if (secret->ns.empty()) secret.value().ns = default_namespace;
      secrets.Add(std::move(secret).value());
      ++out.secrets;
    } else if (kind == "ServiceAccount") {
      // Its imagePullSecrets, and the annotations a credential provider with tokenAttributes reads.
      accounts.Add(NamespaceOf(m.object, default_namespace), MetadataField(m.object, "name"),
                   auth::ServiceAccountFromObject(m.object));
      ++out.service_accounts;
    }
  }
  return out;
}

Result<CredentialObjects> LoadCredentialManifests(const std::vector<std::string>& paths, auth::StaticSecretSource& secrets,
                                                  auth::StaticServiceAccountSource& accounts) {
  ManifestSet manifests = ReadManifests(paths);
  CredentialObjects out = AddCredentialObjects(manifests.objects, "default", secrets, accounts);
  for (const auto& p : manifests.problems) {
    if (p.unreadable) return Status::InvalidArgument(p.message);
    out.problems.push_back({p.file, {p.line, p.message}});
  }
  return out;
}

}  // namespace pullguard::cli

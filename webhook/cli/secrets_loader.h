// Loads credential objects from manifests: Secrets into a StaticSecretSource, ServiceAccounts'
// imagePullSecrets, annotations and uid into a StaticServiceAccountSource; other objects are
// ignored. Objects without a namespace are put in `default_namespace`, as kubectl does with its
// context's.
// A Secret that is not a docker config secret is never looked into; a broken docker config
// secret is kept as broken (naming it is PullSecretInvalid).
#pragma once

#include <string>
#include <vector>

#include "auth/secret_source.h"
#include "cli/manifest_reader.h"

namespace pullguard::cli {

struct CredentialObjects {
  size_t secrets = 0;
  size_t service_accounts = 0;
  // Objects skipped: (file, (line, what is wrong)).
  std::vector<std::pair<std::string, std::pair<int, std::string>>> problems;
};

CredentialObjects AddCredentialObjects(const std::vector<ManifestObject>& manifests, const std::string& default_namespace,
                                       auth::StaticSecretSource& secrets, auth::StaticServiceAccountSource& accounts);

// Secrets and ServiceAccounts from files or directories (serve --secrets-dir).
Result<CredentialObjects> LoadCredentialManifests(const std::vector<std::string>& paths, auth::StaticSecretSource& secrets,
                                                  auth::StaticServiceAccountSource& accounts);

// The object's metadata.namespace, or `fallback` when it has none (or not as a string).
std::string NamespaceOf(const nlohmann::json& object, const std::string& fallback);
// A string field of an object (kind, metadata.name), or "" when absent or not a string.
std::string StringField(const nlohmann::json& object, const char* key);
std::string MetadataField(const nlohmann::json& object, const char* key);

}  // namespace pullguard::cli

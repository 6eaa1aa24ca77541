// Loads pull secrets from manifests (Secret objects in YAML or JSON files, directories or
// stdin) into a StaticSecretSource; other objects are ignored.
#pragma once

#include <string>
#include <vector>

#include "auth/secret_source.h"
#include "cli/manifest_reader.h"

namespace pullguard::cli {

Status LoadSecrets(const std::vector<std::string>& paths, auth::StaticSecretSource& into);
// Secrets and ServiceAccounts (their imagePullSecrets).
Status LoadCredentialManifests(const std::vector<std::string>& paths, auth::StaticSecretSource& secrets,
                               auth::StaticServiceAccountSource& accounts);
// Adds the Secret objects among already-read manifests.
Status AddSecrets(const std::vector<ManifestObject>& manifests, auth::StaticSecretSource& into);

}  // namespace pullguard::cli

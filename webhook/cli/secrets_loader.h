// Loads credential objects from manifests (YAML or JSON files, directories or stdin): Secrets
// into a StaticSecretSource, ServiceAccounts' imagePullSecrets into a
// StaticServiceAccountSource; other objects are ignored.
#pragma once

#include <string>
#include <vector>

#include "auth/secret_source.h"
#include "cli/manifest_reader.h"

namespace pullguard::cli {

// Secrets and ServiceAccounts (their imagePullSecrets).
Status LoadCredentialManifests(const std::vector<std::string>& paths, auth::StaticSecretSource& secrets,
                               auth::StaticServiceAccountSource& accounts);
// Adds the Secret objects among already-read manifests.
Status AddSecrets(const std::vector<ManifestObject>& manifests, auth::StaticSecretSource& into);

}  // namespace pullguard::cli

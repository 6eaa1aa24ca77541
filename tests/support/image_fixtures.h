// Fixture images pushed into a test registry: single-platform Docker and OCI manifests, and
// a multi-platform OCI index (with a build attestation entry, platform unknown/unknown).
#pragma once

#include <string>
#include <vector>

#include "support/registry_server.h"

namespace pullguard::testing {

enum class ManifestKind { kDocker, kOci };

// Pushes config + layer + manifest for one platform ("linux/amd64"); returns the manifest digest.
std::string PushSingle(RegistryServer& registry, const std::string& repo, const std::string& tag,
                       const std::string& platform, ManifestKind kind = ManifestKind::kDocker);

// Pushes one OCI manifest per platform, an attestation manifest, and the index; returns the
// index digest.
std::string PushIndex(RegistryServer& registry, const std::string& repo, const std::string& tag,
                      const std::vector<std::string>& platforms);

}  // namespace pullguard::testing

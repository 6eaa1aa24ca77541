// Manifest media types and platforms: what a HEAD asks for, and what an index or a config
// blob says about the platforms an image runs on. Bodies come from registries: hostile input.
// Thread-safety: value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/platform.h"
#include "common/status.h"

namespace pullguard::registry {

inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

// The Accept header of a manifest request: the four types above, as the kubelet's runtime asks.
std::string ManifestAccept();
bool IsIndexMediaType(const std::string& media_type);

// The platforms of an OCI index or Docker manifest list, without attestation entries
// (unknown/unknown).
Result<std::vector<Platform>> PlatformsOfIndex(const std::string& body);
// The config digest of a single-platform manifest.
Result<std::string> ConfigDigestOfManifest(const std::string& body);
// The platform an image config blob declares.
Result<Platform> PlatformOfConfig(const std::string& body);

}  // namespace pullguard::registry

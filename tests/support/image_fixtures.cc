#include "support/image_fixtures.h"

#include <nlohmann/json.hpp>

namespace pullguard::testing {
namespace {

using nlohmann::json;

struct Pushed {
  std::string digest;
  size_t size;
  std::string media_type;
};

Pushed PushManifestFor(RegistryServer& registry, const std::string& repo, const std::string& tag, const std::string& os,
                       const std::string& arch, ManifestKind kind) {
  bool oci = kind == ManifestKind::kOci;
  std::string layer = "layer of " + repo + " for " + os + "/" + arch;
  std::string layer_digest = registry.PushBlob(repo, layer);
  json config = {{"architecture", arch}, {"os", os}, {"rootfs", {{"type", "layers"}, {"diff_ids", {layer_digest}}}}};
  std::string config_text = config.dump();
  std::string config_digest = registry.PushBlob(repo, config_text);
  std::string media_type = oci ? "application/vnd.oci.image.manifest.v1+json"
                               : "application/vnd.docker.distribution.manifest.v2+json";
  json manifest = {
      {"schemaVersion", 2},
      {"mediaType", media_type},
      {"config",
       {{"mediaType", oci ? "application/vnd.oci.image.config.v1+json" : "application/vnd.docker.container.image.v1+json"},
        {"size", config_text.size()},
        {"digest", config_digest}}},
      {"layers",
       {{{"mediaType", oci ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.docker.image.rootfs.diff.tar.gzip"},
         {"size", layer.size()},
         {"digest", layer_digest}}}}};
  std::string body = manifest.dump();
  std::string digest = registry.PushManifest(repo, tag.empty() ? Sha256Digest(body) : tag, body, media_type);
  return {digest, body.size(), media_type};
}

std::pair<std::string, std::string> SplitPlatform(const std::string& platform) {
  size_t slash = platform.find('/');
  return {platform.substr(0, slash), platform.substr(slash + 1)};
}

}  // namespace

std::string PushSingle(RegistryServer& registry, const std::string& repo, const std::string& tag,
                       const std::string& platform, ManifestKind kind) {
  auto [os, arch] = SplitPlatform(platform);
  return PushManifestFor(registry, repo, tag, os, arch, kind).digest;
}

std::string PushIndex(RegistryServer& registry, const std::string& repo, const std::string& tag,
                      const std::vector<std::string>& platforms) {
  json manifests = json::array();
  for (const auto& platform : platforms) {
    auto [os, arch] = SplitPlatform(platform);
    Pushed p = PushManifestFor(registry, repo, "", os, arch, ManifestKind::kOci);
    manifests.push_back({{"mediaType", p.media_type}, {"size", p.size}, {"digest", p.digest},
                         {"platform", {{"os", os}, {"architecture", arch}}}});
  }
  // A build attestation, as buildx adds one: platform unknown/unknown, to be ignored.
  Pushed attestation = PushManifestFor(registry, repo, "", "unknown", "unknown", ManifestKind::kOci);
  manifests.push_back({{"mediaType", attestation.media_type}, {"size", attestation.size}, {"digest", attestation.digest},
                       {"platform", {{"os", "unknown"}, {"architecture", "unknown"}}},
                       {"annotations", {{"vnd.docker.reference.type", "attestation-manifest"}}}});
  json index = {{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.index.v1+json"}, {"manifests", manifests}};
  return registry.PushManifest(repo, tag, index.dump(), "application/vnd.oci.image.index.v1+json");
}

}  // namespace pullguard::testing

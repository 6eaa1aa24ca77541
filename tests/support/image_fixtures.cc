#include "support/image_fixtures.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <stdexcept>

#include "support/process.h"
#include "support/temp_dir.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;

// A POSIX tar archive holding one regular file, as a layer's uncompressed bytes.
std::string TarOneFile(const std::string& name, const std::string& content) {
  std::string header(512, '\0');
  auto put = [&header](size_t at, const std::string& value) { header.replace(at, value.size(), value); };
  auto octal = [](size_t value, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*zo", digits, value);
    return std::string(buf);
  };
  put(0, name.substr(0, 99));
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, octal(content.size(), 11));
  put(136, octal(0, 11));        // mtime: the epoch, so layers are reproducible
  put(148, std::string(8, ' '));  // the checksum counts itself as spaces
  header[156] = '0';              // a regular file
  put(257, std::string("ustar\0", 6));
  put(263, "00");
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  put(148, octal(sum, 6));
  header[154] = '\0';
  header[155] = ' ';
  std::string data = content + std::string((512 - content.size() % 512) % 512, '\0');
  return header + data + std::string(1024, '\0');
}

// gzip of `bytes`, with Debian's gzip (-n: no name or time, so the digest is stable).
std::string Gzip(const std::string& bytes) {
  TempDir dir;
  std::string path = dir.Write("layer.tar", bytes);
  RunResult r = Run({"gzip", "-n", "-c", path});
  if (r.exit_code != 0 || r.out.empty()) throw std::runtime_error("gzip failed: " + r.err);
  return r.out;
}

struct Pushed {
  std::string digest;
  size_t size;
  std::string media_type;
};

Pushed PushManifestFor(RegistryServer& registry, const std::string& repo, const std::string& tag, const std::string& os,
                       const std::string& arch, ManifestKind kind) {
  bool oci = kind == ManifestKind::kOci;
  // A real layer (gzip of a tar), so a real runtime can pull and unpack the image.
  std::string tar = TarOneFile("pullguard-fixture.txt", "layer of " + repo + " for " + os + "/" + arch + "\n");
  std::string layer = Gzip(tar);
  std::string layer_digest = registry.PushBlob(repo, layer);
  json config = {{"architecture", arch}, {"os", os}, {"config", json::object()},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", {Sha256Digest(tar)}}}}};
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

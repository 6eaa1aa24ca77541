#include "registry/manifest.h"

#include <nlohmann/json.hpp>

namespace pullguard::registry {
namespace {

using nlohmann::json;

std::string Str(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string ManifestAccept() {
  return std::string(kOciIndex) + ", " + kDockerManifestList + ", " + kOciManifest + ", " + kDockerManifest;
}

bool IsIndexMediaType(const std::string& media_type) {
  std::string type = media_type.substr(0, media_type.find(';'));
  return type == kOciIndex || type == kDockerManifestList;
}

Result<std::vector<Platform>> PlatformsOfIndex(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Status::InvalidArgument("the index is not JSON");
  auto manifests = doc.find("manifests");
  if (manifests == doc.end() || !manifests->is_array()) return Status::InvalidArgument("the index has no manifests list");
  std::vector<Platform> out;
  for (const auto& m : *manifests) {
    if (!m.is_object()) continue;
    auto platform = m.find("platform");
    if (platform == m.end() || !platform->is_object()) continue;
    Platform p{Str(*platform, "os"), Str(*platform, "architecture"), Str(*platform, "variant")};
    if (p.os == "unknown" && p.architecture == "unknown") continue;  // build attestations
    if (p.os.empty() || p.architecture.empty()) continue;
    out.push_back(p);
  }
  return out;
}

Result<std::string> ConfigDigestOfManifest(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Status::InvalidArgument("the manifest is not JSON");
  auto config = doc.find("config");
  if (config == doc.end() || !config->is_object() || Str(*config, "digest").empty()) {
    return Status::InvalidArgument("the manifest names no config blob");
  }
  return Str(*config, "digest");
}

Result<Platform> PlatformOfConfig(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Status::InvalidArgument("the image config is not JSON");
  Platform p{Str(doc, "os"), Str(doc, "architecture"), Str(doc, "variant")};
  if (p.os.empty() || p.architecture.empty()) return Status::InvalidArgument("the image config names no os/architecture");
  return p;
}

}  // namespace pullguard::registry

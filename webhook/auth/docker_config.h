// Docker config files as the kubelet reads them: `.dockerconfigjson` ({"auths": {...}}) and
// the legacy `.dockercfg` (the map alone). An entry's `auth` (base64 "user:password")
// overrides its username and password.
// Thread-safety: value types and pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace pullguard::auth {

struct DockerConfigEntry {
  std::string username;
  std::string password;
  std::string email;
};

// Registry key as written (e.g. "https://index.docker.io/v1/", "*.gcr.io") and its entry.
using DockerConfig = std::vector<std::pair<std::string, DockerConfigEntry>>;

// base64("user:password"), padded or not; newlines ignored, as Go's decoder does.
Result<std::pair<std::string, std::string>> DecodeAuthField(std::string_view field);
std::string EncodeAuthField(std::string_view username, std::string_view password);

// Decodes one entry. On error, `partial` holds what was filled before it (upstream's behaviour).
Result<DockerConfigEntry> DecodeEntry(const nlohmann::json& entry, DockerConfigEntry* partial = nullptr);
// {"username","password","email","auth"} with the auth field computed.
std::string EncodeEntry(const DockerConfigEntry& entry);

Result<DockerConfig> ParseDockercfg(std::string_view text);         // legacy map
Result<DockerConfig> ParseDockerConfigJson(std::string_view text);  // {"auths": map}

// Bytes of base64 text (standard alphabet, padded). Used for Secret data.
Result<std::string> DecodeBase64(std::string_view text);
// Standard, padded base64 of `bytes`.
std::string EncodeBase64(std::string_view bytes);

}  // namespace pullguard::auth

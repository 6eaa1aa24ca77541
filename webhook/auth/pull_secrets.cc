#include "auth/pull_secrets.h"

namespace pullguard::auth {
namespace {

const char* KeyFor(const std::string& type) {
  if (type == kDockerConfigJsonType) return ".dockerconfigjson";
  if (type == kDockercfgType) return ".dockercfg";
  return nullptr;
}

}  // namespace

std::optional<std::string> SecretProblem(const PullSecret& secret) {
  const char* key = KeyFor(secret.type);
  if (key == nullptr) {
    return "type " + (secret.type.empty() ? std::string("Opaque") : secret.type) + " is not " + kDockerConfigJsonType;
  }
  auto it = secret.data.find(key);
  if (it == secret.data.end() || it->second.empty()) return std::string("it has no ") + key + " key";
  auto config = SecretDockerConfig(secret);
  if (!config.ok()) return config.status().message();
  return std::nullopt;
}

Result<DockerConfig> SecretDockerConfig(const PullSecret& secret) {
  const char* key = KeyFor(secret.type);
  if (key == nullptr) return Status::InvalidArgument("not a docker config secret");
  auto it = secret.data.find(key);
  if (it == secret.data.end() || it->second.empty()) return Status::InvalidArgument(std::string("no ") + key + " key");
  auto config = secret.type == kDockerConfigJsonType ? ParseDockerConfigJson(it->second) : ParseDockercfg(it->second);
  if (!config.ok()) return Status::InvalidArgument(std::string(key) + " does not decode: " + config.status().message());
  return config;
}

Result<Keyring> KeyringFromPullSecrets(const std::vector<PullSecret>& secrets) {
  Keyring keyring;
  for (const auto& secret : secrets) {
    const char* key = KeyFor(secret.type);
    if (key == nullptr) continue;
    auto it = secret.data.find(key);
    if (it == secret.data.end() || it->second.empty()) continue;
    auto config = SecretDockerConfig(secret);
    if (!config.ok()) return Status::InvalidArgument(secret.Source() + ": " + config.status().message());
    keyring.Add(config.value(), secret.Source());
  }
  return keyring;
}

Result<PullSecret> PullSecretFromObject(const nlohmann::json& obj) {
  if (!obj.is_object()) return Status::InvalidArgument("a Secret must be an object");
  PullSecret secret;
  const auto& meta = obj.value("metadata", nlohmann::json::object());
  secret.name = meta.value("name", "");
  secret.ns = meta.value("namespace", "");
  secret.type = obj.value("type", "Opaque");
  if (auto data = obj.find("data"); data != obj.end() && data->is_object()) {
    for (const auto& [key, value] : data->items()) {
      if (!value.is_string()) return Status::InvalidArgument("Secret " + secret.name + ": data." + key + " must be a string");
      auto decoded = DecodeBase64(value.get<std::string>());
      if (!decoded.ok()) return Status::InvalidArgument("Secret " + secret.name + ": data." + key + " is not base64");
      secret.data[key] = std::move(decoded).value();
    }
  }
  if (auto data = obj.find("stringData"); data != obj.end() && data->is_object()) {
    for (const auto& [key, value] : data->items()) {
      if (value.is_string()) secret.data[key] = value.get<std::string>();
    }
  }
  return secret;
}

std::vector<Credential> CredentialSet::Lookup(const std::string& image) const {
  std::vector<Credential> out = secrets.Lookup(image);
  std::vector<Credential> from_node = node.Lookup(image);
  out.insert(out.end(), from_node.begin(), from_node.end());
  return out;
}

}  // namespace pullguard::auth

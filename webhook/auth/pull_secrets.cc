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
  if (!secret.broken.empty()) return secret.broken;
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
  if (!secret.broken.empty()) return Status::InvalidArgument(secret.broken);
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
  auto text = [](const nlohmann::json& parent, const char* key, const std::string& field,
                 std::string* out) -> Status {
    auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return Status::Ok();
    if (!it->is_string()) return Status::InvalidArgument(field + " must be a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  if (auto meta = obj.find("metadata"); meta != obj.end() && !meta->is_null()) {
    if (!meta->is_object()) return Status::InvalidArgument("Secret: metadata must be an object");
    RETURN_IF_ERROR(text(*meta, "name", "Secret: metadata.name", &secret.name));
    RETURN_IF_ERROR(text(*meta, "namespace", "Secret " + secret.name + ": metadata.namespace", &secret.ns));
  }
  secret.type = "Opaque";
  RETURN_IF_ERROR(text(obj, "type", "Secret " + secret.name + ": type", &secret.type));
  // Only the data of docker config secrets matters; an Opaque secret with odd keys or a null
  // value is none of pullguard's business, as long as its type says what it is.
  bool docker = secret.type == kDockerConfigJsonType || secret.type == kDockercfgType;
  if (auto data = obj.find("data"); data != obj.end() && data->is_object()) {
    for (const auto& [key, value] : data->items()) {
      if (value.is_null()) continue;
      // A docker config secret whose data is broken still exists: naming it is PullSecretInvalid.
      if (!value.is_string()) {
        if (docker && secret.broken.empty()) secret.broken = "data." + key + " is not a string";
        continue;
      }
      auto decoded = DecodeBase64(value.get<std::string>());
      if (!decoded.ok()) {
        if (docker && secret.broken.empty()) secret.broken = "data." + key + " is not base64";
        continue;
      }
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

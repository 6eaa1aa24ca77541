#include "auth/secret_source.h"

namespace pullguard::auth {

void StaticSecretSource::Add(PullSecret secret) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto key = std::make_pair(secret.ns, secret.name);
  secrets_[key] = std::move(secret);
}

Result<std::optional<PullSecret>> StaticSecretSource::Get(const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = secrets_.find({ns, name});
  if (it == secrets_.end()) return std::optional<PullSecret>{};
  return std::optional<PullSecret>{it->second};
}

size_t StaticSecretSource::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return secrets_.size();
}

ServiceAccountInfo ServiceAccountFromObject(const nlohmann::json& object) {
  ServiceAccountInfo info;
  if (!object.is_object()) return info;
  if (auto refs = object.find("imagePullSecrets"); refs != object.end() && refs->is_array()) {
    for (const auto& ref : *refs) {
      if (!ref.is_object()) continue;
      auto name = ref.find("name");
      if (name != ref.end() && name->is_string() && !name->get_ref<const std::string&>().empty()) {
        info.pull_secrets.push_back(name->get<std::string>());
      }
    }
  }
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return info;
  if (auto uid = meta->find("uid"); uid != meta->end() && uid->is_string()) info.uid = uid->get<std::string>();
  if (auto annotations = meta->find("annotations"); annotations != meta->end() && annotations->is_object()) {
    for (const auto& [key, value] : annotations->items()) {
      if (value.is_string()) info.annotations[key] = value.get<std::string>();
    }
  }
  return info;
}

Result<std::optional<std::vector<std::string>>> ServiceAccountSource::PullSecretsOf(const std::string& ns,
                                                                                   const std::string& name) {
  auto got = Get(ns, name);
  if (!got.ok()) return got.status();
  if (!got.value()) return std::optional<std::vector<std::string>>{};
  return std::optional<std::vector<std::string>>{got.value()->pull_secrets};
}

void StaticServiceAccountSource::Add(const std::string& ns, const std::string& name, std::vector<std::string> pull_secrets) {
  ServiceAccountInfo account;
  account.pull_secrets = std::move(pull_secrets);
  Add(ns, name, std::move(account));
}

void StaticServiceAccountSource::Add(const std::string& ns, const std::string& name, ServiceAccountInfo account) {
  std::lock_guard<std::mutex> lock(mutex_);
  accounts_[{ns, name}] = std::move(account);
}

Result<std::optional<ServiceAccountInfo>> StaticServiceAccountSource::Get(const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = accounts_.find({ns, name});
  if (it == accounts_.end()) {
    // Every namespace has a "default" ServiceAccount (its controller makes it); unless the
    // manifests say otherwise, it has no pull secrets, and its annotations are not known.
    if (implicit_default_ && name == "default") {
      ServiceAccountInfo assumed;
      assumed.assumed = true;
      return std::optional<ServiceAccountInfo>{std::move(assumed)};
    }
    return std::optional<ServiceAccountInfo>{};
  }
  return std::optional<ServiceAccountInfo>{it->second};
}

Result<std::optional<PullSecret>> LayeredSecretSource::Get(const std::string& ns, const std::string& name) {
  Result<std::optional<PullSecret>> answer = std::optional<PullSecret>{};
  for (SecretSource* layer : layers_) {
    answer = layer->Get(ns, name);
    if (!answer.ok() || answer.value()) return answer;
  }
  return answer;
}

Result<std::optional<ServiceAccountInfo>> LayeredServiceAccountSource::Get(const std::string& ns, const std::string& name) {
  Result<std::optional<ServiceAccountInfo>> answer = std::optional<ServiceAccountInfo>{};
  for (ServiceAccountSource* layer : layers_) {
    answer = layer->Get(ns, name);
    if (!answer.ok() || answer.value()) return answer;
  }
  return answer;
}

}  // namespace pullguard::auth

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

void StaticServiceAccountSource::Add(const std::string& ns, const std::string& name, std::vector<std::string> pull_secrets) {
  std::lock_guard<std::mutex> lock(mutex_);
  accounts_[{ns, name}] = std::move(pull_secrets);
}

Result<std::optional<std::vector<std::string>>> StaticServiceAccountSource::PullSecretsOf(const std::string& ns,
                                                                                         const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = accounts_.find({ns, name});
  if (it == accounts_.end()) {
    // Every namespace has a "default" ServiceAccount (its controller makes it); unless the
    // manifests say otherwise, it has no pull secrets.
    if (implicit_default_ && name == "default") return std::optional<std::vector<std::string>>{std::vector<std::string>{}};
    return std::optional<std::vector<std::string>>{};
  }
  return std::optional<std::vector<std::string>>{it->second};
}

Result<std::optional<PullSecret>> LayeredSecretSource::Get(const std::string& ns, const std::string& name) {
  Result<std::optional<PullSecret>> answer = std::optional<PullSecret>{};
  for (SecretSource* layer : layers_) {
    answer = layer->Get(ns, name);
    if (!answer.ok() || answer.value()) return answer;
  }
  return answer;
}

Result<std::optional<std::vector<std::string>>> LayeredServiceAccountSource::PullSecretsOf(const std::string& ns,
                                                                                          const std::string& name) {
  Result<std::optional<std::vector<std::string>>> answer = std::optional<std::vector<std::string>>{};
  for (ServiceAccountSource* layer : layers_) {
    answer = layer->PullSecretsOf(ns, name);
    if (!answer.ok() || answer.value()) return answer;
  }
  return answer;
}

}  // namespace pullguard::auth

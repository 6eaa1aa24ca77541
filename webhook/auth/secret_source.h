// SecretSource: where pull secrets are looked up by namespace and name. The Kubernetes API
// in a cluster; a fixed set from files or manifests for `pullguard check` and tests.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/pull_secrets.h"

namespace pullguard::auth {

class SecretSource {
 public:
  virtual ~SecretSource() = default;
  // nullopt when the secret does not exist; an error when it cannot be known (API down, 403).
  virtual Result<std::optional<PullSecret>> Get(const std::string& ns, const std::string& name) = 0;
};

// ServiceAccountSource: a ServiceAccount's imagePullSecrets, which the kubelet uses for every
// pod of a workload that runs as it.
class ServiceAccountSource {
 public:
  virtual ~ServiceAccountSource() = default;
  // The names of its imagePullSecrets; nullopt when the ServiceAccount does not exist.
  virtual Result<std::optional<std::vector<std::string>>> PullSecretsOf(const std::string& ns,
                                                                       const std::string& name) = 0;
};

// ServiceAccounts from manifests or files. "default" exists in every namespace, as in a
// cluster, with no pull secrets unless added.
class StaticServiceAccountSource : public ServiceAccountSource {
 public:
  // `implicit_default`: answer for "default" when it was not added (off when a cluster is
  // asked next, whose "default" may carry pull secrets).
  explicit StaticServiceAccountSource(bool implicit_default = true) : implicit_default_(implicit_default) {}
  void Add(const std::string& ns, const std::string& name, std::vector<std::string> pull_secrets);
  Result<std::optional<std::vector<std::string>>> PullSecretsOf(const std::string& ns, const std::string& name) override;

 private:
  bool implicit_default_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> accounts_;
};

// Asks each source in turn; the first that knows the secret (or ServiceAccount) answers.
// For `pullguard check`: the manifests first, then the cluster.
class LayeredSecretSource : public SecretSource {
 public:
  explicit LayeredSecretSource(std::vector<SecretSource*> layers) : layers_(std::move(layers)) {}
  Result<std::optional<PullSecret>> Get(const std::string& ns, const std::string& name) override;

 private:
  std::vector<SecretSource*> layers_;
};

class LayeredServiceAccountSource : public ServiceAccountSource {
 public:
  explicit LayeredServiceAccountSource(std::vector<ServiceAccountSource*> layers) : layers_(std::move(layers)) {}
  Result<std::optional<std::vector<std::string>>> PullSecretsOf(const std::string& ns, const std::string& name) override;

 private:
  std::vector<ServiceAccountSource*> layers_;
};

class StaticSecretSource : public SecretSource {
 public:
  void Add(PullSecret secret);
  Result<std::optional<PullSecret>> Get(const std::string& ns, const std::string& name) override;
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, PullSecret> secrets_;
};

}  // namespace pullguard::auth

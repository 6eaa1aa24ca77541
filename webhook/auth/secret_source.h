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

class StaticServiceAccountSource : public ServiceAccountSource {
 public:
  void Add(const std::string& ns, const std::string& name, std::vector<std::string> pull_secrets);
  Result<std::optional<std::vector<std::string>>> PullSecretsOf(const std::string& ns, const std::string& name) override;

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> accounts_;
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

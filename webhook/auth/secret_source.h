// SecretSource: where pull secrets are looked up by namespace and name. The Kubernetes API
// in a cluster; a fixed set from files or manifests for `pullguard check` and tests.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "auth/pull_secrets.h"

namespace pullguard::auth {

class SecretSource {
 public:
  virtual ~SecretSource() = default;
  // nullopt when the secret does not exist; an error when it cannot be known (API down, 403).
  virtual Result<std::optional<PullSecret>> Get(const std::string& ns, const std::string& name) = 0;
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

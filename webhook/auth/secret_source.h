// SecretSource: where pull secrets are looked up by namespace and name. The Kubernetes API
// in a cluster; a fixed set from files or manifests for `pullguard check` and tests.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
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

// What pullguard reads of a ServiceAccount: its imagePullSecrets, which the kubelet uses for
// every pod of a workload that runs as it, and its annotations and uid, which the kubelet gives
// credential provider plugins with tokenAttributes (KEP-4412). Annotation values are for those
// plugins only: never logged nor put in a finding (their keys may be named).
struct ServiceAccountInfo {
  std::vector<std::string> pull_secrets;           // the names of its imagePullSecrets
  std::map<std::string, std::string> annotations;  // metadata.annotations (string values)
  std::string uid;                                 // metadata.uid; "" when the object has none
  // Not read anywhere: the "default" ServiceAccount every namespace has, assumed to have no
  // pull secrets; its annotations are not known.
  bool assumed = false;
};

// A ServiceAccount object (JSON) as a ServiceAccountInfo; fields of the wrong type are skipped.
ServiceAccountInfo ServiceAccountFromObject(const nlohmann::json& object);

class ServiceAccountSource {
 public:
  virtual ~ServiceAccountSource() = default;
  // nullopt when the ServiceAccount does not exist; an error when it cannot be known.
  virtual Result<std::optional<ServiceAccountInfo>> Get(const std::string& ns, const std::string& name) = 0;
  // The names of its imagePullSecrets; nullopt when the ServiceAccount does not exist.
  Result<std::optional<std::vector<std::string>>> PullSecretsOf(const std::string& ns, const std::string& name);
};

// Tokens of ServiceAccounts, as the kubelet asks the TokenRequest API for them to run a
// credential provider with tokenAttributes (KEP-4412). The Kubernetes API in a cluster
// (kube::KubeServiceAccountTokenSource); nothing elsewhere. A token is a credential: never
// logged, never put in a message or a metric.
class ServiceAccountTokenSource {
 public:
  virtual ~ServiceAccountTokenSource() = default;
  // A token of ServiceAccount ns/name for `audience`, asked for by `deadline`; an error whose
  // words say why there is none (they never hold a token).
  virtual Result<std::string> Token(const std::string& ns, const std::string& name, const std::string& audience,
                                    std::chrono::steady_clock::time_point deadline) = 0;
};

// ServiceAccounts from manifests or files. "default" exists in every namespace, as in a
// cluster, with no pull secrets unless added.
class StaticServiceAccountSource : public ServiceAccountSource {
 public:
  // `implicit_default`: answer for "default" when it was not added (off when a cluster is
  // asked next, whose "default" may carry pull secrets).
  explicit StaticServiceAccountSource(bool implicit_default = true) : implicit_default_(implicit_default) {}
  void Add(const std::string& ns, const std::string& name, std::vector<std::string> pull_secrets);
  void Add(const std::string& ns, const std::string& name, ServiceAccountInfo account);
  Result<std::optional<ServiceAccountInfo>> Get(const std::string& ns, const std::string& name) override;

 private:
  bool implicit_default_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, ServiceAccountInfo> accounts_;
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
  Result<std::optional<ServiceAccountInfo>> Get(const std::string& ns, const std::string& name) override;

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

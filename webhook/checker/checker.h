// Checker: the engine behind the webhook, `kubectl apply --dry-run=server` and `pullguard
// check`. CheckPod takes one pod spec (with its field-path prefix, namespace and
// ServiceAccount) and returns its findings: each image parsed once; syntax, policy rules,
// the pod's credentials (auth::CredentialResolver), then the registry (one probe per distinct
// image, all at once, on the shared scheduler), under the caller's deadline.
// Thread-safety: CheckPod() may be called concurrently.
#pragma once

#include <memory>

#include "auth/credential_resolver.h"
#include "auth/node_keyring.h"
#include "checker/pod.h"
#include "checker/registry_checks.h"
#include "common/nodes.h"
#include "policy/policy.h"

namespace pullguard::checker {

// What the cluster tells: pull secrets, ServiceAccounts, nodes. A null source is not consulted.
struct ClusterSources {
  auth::SecretSource* secrets = nullptr;
  auth::ServiceAccountSource* accounts = nullptr;
  NodeSource* nodes = nullptr;
};

class Checker {
 public:
  // Syntax and policy rules only (offline).
  explicit Checker(ClusterSources sources = {});
  // With registry checks through `prober` (not owned; must outlive the checker).
  Checker(registry::Prober& prober, ClusterSources sources, size_t workers = 64);

  PodReport CheckPod(const PodToCheck& pod, const policy::Policy& policy) const;

  bool checks_registries() const { return registry_checks_ != nullptr; }
  RegistryChecks* registry_checks() const { return registry_checks_.get(); }

 private:
  std::vector<Platform> NodePlatforms(const policy::Policy& policy) const;

  ClusterSources sources_;
  auth::CredentialResolver credentials_;
  mutable auth::NodeKeyring node_keyring_;
  std::unique_ptr<RegistryChecks> registry_checks_;
};

}  // namespace pullguard::checker

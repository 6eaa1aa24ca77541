// The credentials the kubelet would use for a pod: its imagePullSecrets, looked up in its
// namespace, then the node's docker config. Secrets that are missing or give no credentials
// become findings (PullSecretMissing, PullSecretInvalid), named by field path and secret.
// Thread-safety: pure functions over a thread-safe SecretSource.
#pragma once

#include <string>
#include <vector>

#include "auth/secret_source.h"
#include "checker/image_use.h"
#include "common/finding.h"

namespace pullguard::checker {

struct PullSecretRef {
  std::string path;  // spec.imagePullSecrets[0]
  std::string name;
};

struct PodCredentials {
  auth::CredentialSet credentials;
  std::vector<Finding> findings;
};

// `registries` are the registries the pod's images use (for "no entry for any of them").
PodCredentials ResolvePodCredentials(const std::string& ns, const std::vector<PullSecretRef>& refs,
                                     const std::vector<std::string>& registries, auth::SecretSource* secrets,
                                     const auth::Keyring& node);

}  // namespace pullguard::checker

// CredentialResolver: the one answer to "which credentials does this pod pull with?", as the
// kubelet gives it: the pod's imagePullSecrets, then its ServiceAccount's (for pod templates;
// the API server merges them into Pods itself), then the node's docker config. Secrets that
// are missing or give no credentials, and a ServiceAccount that does not exist, become
// findings named by field path and secret (never by content).
// Thread-safety: Resolve() may be called concurrently; the sources must be thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/pull_secrets.h"
#include "auth/secret_source.h"
#include "common/finding.h"

namespace pullguard::auth {

struct SecretRef {
  std::string path;  // spec.imagePullSecrets[0]
  std::string name;
};

struct ServiceAccountRef {
  std::string name;   // "default" when the spec names none
  std::string field;  // the field that named it, e.g. spec.template.spec.serviceAccountName
};

struct PodCredentialQuery {
  std::string ns;
  std::vector<SecretRef> pull_secrets;
  // The ServiceAccount whose pull secrets the kubelet adds; nullopt for a Pod (merged already).
  std::optional<ServiceAccountRef> service_account;
  // The images' names without tag or digest ("ghcr.io/org/app"), for "a secret with an entry
  // for none of them".
  std::vector<std::string> image_names;
};

struct PodCredentials {
  CredentialSet credentials;
  std::vector<Finding> findings;
};

class CredentialResolver {
 public:
  // Null sources are not consulted: no secret or ServiceAccount is looked up (offline).
  CredentialResolver(SecretSource* secrets = nullptr, ServiceAccountSource* accounts = nullptr)
      : secrets_(secrets), accounts_(accounts) {}

  PodCredentials Resolve(const PodCredentialQuery& query, std::shared_ptr<const Keyring> node) const;

 private:
  void AddServiceAccountSecrets(const PodCredentialQuery& query, std::vector<SecretRef>& refs,
                                std::vector<Finding>& findings) const;
  // A usable secret's keyring, or why it gives none, memoized by the secret's name and bytes:
  // a burst of pods names the same few secrets, and parsing their JSON and hashing their
  // credentials' identities on every review was most of a warm review's cost.
  Result<std::shared_ptr<const Keyring>> SecretKeyring(const PullSecret& secret) const;

  SecretSource* secrets_;
  ServiceAccountSource* accounts_;
  mutable std::mutex memo_mutex_;
  mutable std::unordered_map<std::string, Result<std::shared_ptr<const Keyring>>> memo_;
};

}  // namespace pullguard::auth

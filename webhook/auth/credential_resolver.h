// CredentialResolver: the one answer to "which credentials does this pod pull with?", as the
// kubelet gives it: the pod's imagePullSecrets, then its ServiceAccount's (for pod templates;
// the API server merges them into Pods itself), then the node's docker config. Secrets that
// are missing or give no credentials, and a ServiceAccount that does not exist, are facts
// named by field path and name (never by content); the checker words them.
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
#include "common/bounded_cache.h"

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

// What keeps a pull secret or the ServiceAccount from giving credentials.
enum class CredentialProblem {
  kSecretMissing,             // the Secret does not exist
  kSecretUnreadable,          // the API would not give it (detail: the API's error)
  kSecretInvalid,             // wrong type, missing key, does not parse (detail: what)
  kSecretUnused,              // no entry for any registry the pod uses (detail: those registries)
  kServiceAccountMissing,     // the ServiceAccount does not exist
  kServiceAccountUnreadable,  // the API would not give it (detail: the API's error)
};

struct CredentialFact {
  CredentialProblem problem;
  std::string path;    // the field that names it: spec.imagePullSecrets[0], ...serviceAccountName
  std::string name;    // the Secret's or ServiceAccount's name
  std::string ns;
  std::string detail;  // technical, never secret material
};

struct PodCredentials {
  CredentialSet credentials;
  std::vector<CredentialFact> facts;
  // The sources ("secret ns/name") that came from the ServiceAccount, not the pod itself.
  std::vector<std::string> service_account_sources;
};

class CredentialResolver {
 public:
  // Null sources are not consulted: no secret or ServiceAccount is looked up (offline).
  CredentialResolver(SecretSource* secrets = nullptr, ServiceAccountSource* accounts = nullptr)
      : secrets_(secrets), accounts_(accounts) {}

  PodCredentials Resolve(const PodCredentialQuery& query, std::shared_ptr<const Keyring> node) const;

 private:
  void AddServiceAccountSecrets(const PodCredentialQuery& query, std::vector<SecretRef>& refs,
                                std::vector<CredentialFact>& facts) const;
  // A usable secret's keyring, or why it gives none, memoized by the secret's name and bytes:
  // a burst of pods names the same few secrets, and parsing their JSON and hashing their
  // credentials' identities on every review was most of a warm review's cost.
  Result<std::shared_ptr<const Keyring>> SecretKeyring(const PullSecret& secret) const;

  SecretSource* secrets_;
  ServiceAccountSource* accounts_;
  mutable BoundedCache<Result<std::shared_ptr<const Keyring>>> memo_{"secret_keyrings", 1024};
};

}  // namespace pullguard::auth

// Checker: the engine the webhook and `pullguard check` share. For each image it parses the
// reference, applies the policy's image rules, and (with a prober, unless the policy turns
// registry checks off) asks the registry, all images of a request at once, under one deadline.
// Thread-safety: Check() may be called concurrently.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "auth/pull_secrets.h"
#include "checker/image_use.h"
#include "checker/node_keyring.h"
#include "checker/registry_checks.h"
#include "common/finding.h"
#include "policy/policy.h"

namespace pullguard::checker {

struct CheckRequest {
  std::string ns;                // namespace of the object; "" outside a cluster
  std::vector<ImageUse> images;  // every image to check, with its field path
  // The pod's credentials; null means anonymous pulls only.
  const auth::CredentialSet* credentials = nullptr;
  std::map<std::string, std::string> node_selector;
  // Platforms the images must offer, instead of the policy's (the cluster's nodes); empty:
  // the policy's `platforms`.
  std::vector<std::string> platforms;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::now() + std::chrono::seconds(9);
};

class Checker {
 public:
  // Syntax and policy rules only.
  Checker() = default;
  // With registry checks through `prober` (not owned; must outlive the checker).
  explicit Checker(registry::Prober& prober, size_t threads = 64);

  // Findings for every image that is not exempt, in the order of `request.images`.
  // PolicyViolation findings carry their own action; the others get theirs from
  // policy::Decide.
  std::vector<Finding> Check(const CheckRequest& request, const policy::Policy& policy) const;

  bool checks_registries() const { return registry_checks_ != nullptr; }
  // The node-level keyring the policy names (empty when it names none).
  auth::Keyring NodeCredentials(const policy::Policy& policy) const;

 private:
  std::unique_ptr<RegistryChecks> registry_checks_;
  mutable NodeKeyring node_keyring_;
};

}  // namespace pullguard::checker

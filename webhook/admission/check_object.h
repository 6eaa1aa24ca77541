// CheckObject: everything pullguard checks for one object, shared by the webhook and
// `pullguard check`: its images, its pull secrets (looked up in its namespace), its
// nodeSelector, then the checker and the policy's verdict.
// Thread-safety: pure function over thread-safe collaborators.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "auth/secret_source.h"
#include "checker/checker.h"
#include "checker/platforms.h"
#include "policy/policy.h"

namespace pullguard::admission {

struct ObjectToCheck {
  std::string group;
  std::string kind;
  std::string ns;
  const nlohmann::json* object = nullptr;
  // Images already in the old object (UPDATE): not checked again.
  const std::vector<std::string>* old_images = nullptr;
};

struct ObjectResult {
  policy::Verdict verdict;
  size_t images = 0;  // images checked
};

// What the cluster tells: pull secrets by name, ServiceAccounts, the nodes' platforms (any
// may be null: it is then not consulted).
struct ClusterSources {
  auth::SecretSource* secrets = nullptr;
  auth::ServiceAccountSource* accounts = nullptr;
  checker::NodePlatformSource* nodes = nullptr;
};

Result<ObjectResult> CheckObject(const ObjectToCheck& target, const checker::Checker& checker,
                                 const policy::Policy& policy, const ClusterSources& sources,
                                 std::chrono::steady_clock::time_point deadline);

}  // namespace pullguard::admission

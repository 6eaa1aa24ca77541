#include "policy/default_policy.h"

#include "policy/policy_yaml.h"

namespace pullguard::policy {

const Policy& DefaultPolicy() {
  static const Policy policy = ParsePolicy(DefaultPolicyText(), "built-in policies/default.yaml").value();
  return policy;
}

}  // namespace pullguard::policy

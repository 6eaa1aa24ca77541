#include "policy/default_policy.h"

namespace pullguard::policy {

const Policy& DefaultPolicy() {
  static const Policy policy;
  return policy;
}

}  // namespace pullguard::policy

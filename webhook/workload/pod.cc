#include "workload/pod.h"

namespace pullguard::workload {

bool KnownNodeSelectorOperator(const std::string& op) {
  return op == "In" || op == "NotIn" || op == "Exists" || op == "DoesNotExist" || op == "Gt" || op == "Lt";
}

bool KnownTolerationOperator(const std::string& op) { return op.empty() || op == "Equal" || op == "Exists"; }

}  // namespace pullguard::workload

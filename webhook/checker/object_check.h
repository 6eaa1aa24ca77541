// CheckObject: the one path from a Kubernetes object to a verdict, for every caller (the
// webhook's handler, `pullguard check`, and later diagnose and audit): the skip rules
// (operations and subresources that pull nothing, kinds without a pod spec, exempt
// namespaces), the pod model (workload/), UPDATE's images already run, the deadline from the
// caller's timing and ONE policy snapshot, the check, and the policy's Decide.
// Thread-safety: CheckObject() may be called concurrently (as Checker::CheckPod).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "checker/checker.h"
#include "checker/deadline.h"
#include "policy/policy.h"

namespace pullguard::checker {

struct ObjectToCheck {
  std::string group;  // "" for core, apps, batch, ...
  std::string kind;
  std::string ns;  // the object's namespace (a caller's default already applied)
  std::string operation = "CREATE";
  std::string sub_resource;
  const nlohmann::json* object = nullptr;      // REQUIRED
  const nlohmann::json* old_object = nullptr;  // UPDATE's oldObject, when there is one
  std::string tenant;                          // who asks: callers take turns at registries
};

struct ObjectVerdict {
  enum class Outcome {
    kChecked,     // `verdict` holds the answer (possibly nothing to say)
    kSkipped,     // nothing to check: `why` says what rule let it through
    kUnreadable,  // the object's pod spec does not decode: `why` names the field
  };
  Outcome outcome = Outcome::kChecked;
  std::string why;
  size_t images = 0;  // images checked
  policy::Verdict verdict;
};

ObjectVerdict CheckObject(const Checker& checker, const ObjectToCheck& request, const policy::Policy& policy,
                          const ReviewTiming& timing);

}  // namespace pullguard::checker

#include "checker/object_check.h"

#include "workload/kinds.h"

namespace pullguard::checker {
namespace {

// Why a request is allowed without looking at it, or "" when it must be checked.
std::string SkipReason(const ObjectToCheck& req, const policy::Policy& policy) {
  if (req.operation != "CREATE" && req.operation != "UPDATE") return "operation " + req.operation + " pulls nothing";
  // Only the object itself and a Pod's ephemeral containers can bring a new image; status,
  // scale, binding and the rest cannot.
  if (!req.sub_resource.empty() && !(req.kind == "Pod" && req.sub_resource == "ephemeralcontainers")) {
    return "subresource " + req.sub_resource + " pulls nothing";
  }
  if (!workload::LocatePodSpec(req.group, req.kind)) return "kind " + req.kind + " has no pod spec";
  if (policy.IsNamespaceExempt(req.ns)) return "namespace " + req.ns + " is exempt";
  return "";
}

}  // namespace

ObjectVerdict CheckObject(const Checker& checker, const ObjectToCheck& req, const policy::Policy& policy,
                          const ReviewTiming& timing) {
  ObjectVerdict out;
  if (std::string skip = SkipReason(req, policy); !skip.empty()) {
    out.outcome = ObjectVerdict::Outcome::kSkipped;
    out.why = std::move(skip);
    return out;
  }
  auto pod = workload::PodOfObject(req.group, req.kind, *req.object);
  if (!pod.ok()) {
    out.outcome = ObjectVerdict::Outcome::kUnreadable;
    out.why = pod.status().message();
    return out;
  }
  if (!pod->has_value()) {  // SkipReason lets only kinds with a pod spec through
    out.outcome = ObjectVerdict::Outcome::kSkipped;
    out.why = "kind " + req.kind + " has no pod spec";
    return out;
  }
  workload::PodOfKind& of_kind = *pod.value();
  PodToCheck target;
  target.kind = std::move(of_kind.kind);
  target.prefix = std::move(of_kind.prefix);
  target.spec = std::move(of_kind.spec);
  target.ns = req.ns;
  target.tenant = req.tenant;
  target.deadline = AnswerDeadline(timing, policy);
  // On UPDATE, an image the old object already ran was checked when it came in; only new ones
  // are checked, so a label change never fails on a registry outage.
  if (req.operation == "UPDATE" && req.old_object != nullptr && req.old_object->is_object()) {
    auto old = workload::ImagesOfObject(req.group, req.kind, *req.old_object);
    if (old.ok()) {
      for (const auto& use : old.value()) target.known_images.push_back(use.image);
    }
  }
  PodReport report = checker.CheckPod(target, policy);
  out.images = report.images;
  out.verdict = policy::Decide(std::move(report.findings), policy);
  return out;
}

}  // namespace pullguard::checker

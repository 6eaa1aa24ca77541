#include "admission/handler.h"

#include <algorithm>

#include "admission/check_object.h"
#include "admission/response.h"
#include "admission/review.h"
#include "admission/workload.h"

namespace pullguard::admission {
namespace {

// Why a request is allowed without looking at it, or "" when it must be checked.
std::string SkipReason(const ReviewRequest& req, const policy::Policy& policy) {
  if (req.operation != "CREATE" && req.operation != "UPDATE") return "operation " + req.operation + " pulls nothing";
  // Only the object itself and a Pod's ephemeral containers can bring a new image; status,
  // scale, binding and the rest cannot.
  if (!req.sub_resource.empty() && !(req.kind.kind == "Pod" && req.sub_resource == "ephemeralcontainers")) {
    return "subresource " + req.sub_resource + " pulls nothing";
  }
  if (!LocatePodSpec(req.kind.group, req.kind.kind)) return "kind " + req.kind.kind + " has no pod spec";
  if (policy.IsNamespaceExempt(req.ns)) return "namespace " + req.ns + " is exempt";
  return "";
}

}  // namespace

HandleResult ReviewHandler::Handle(std::string_view body, std::chrono::milliseconds budget) const {
  auto start = std::chrono::steady_clock::now();
  HandleResult result;
  auto decoded = DecodeReview(body);
  if (!decoded.ok()) {
    result.http_status = 400;
    result.body = {{"error", decoded.status().message()}};
    result.log_fields = {{"decision", "error"}, {"error", decoded.status().message()}};
    return result;
  }
  const ReviewRequest& req = decoded.value();
  result.log_fields = {{"uid", req.uid},     {"kind", req.kind.kind},         {"namespace", req.ns},
                       {"name", req.name},   {"operation", req.operation},    {"dryRun", req.dry_run}};
  if (!req.sub_resource.empty()) result.log_fields["subResource"] = req.sub_resource;

  std::shared_ptr<const policy::Policy> policy = policies_.Current();
  if (std::string skip = SkipReason(req, *policy); !skip.empty()) {
    result.body = BuildAllowed(req.api_version, req.uid);
    result.log_fields["decision"] = "allow";
    result.log_fields["skipped"] = skip;
    return result;
  }
  // On UPDATE, an image the old object already ran was checked when it came in; only new ones
  // are checked, so a label change never fails on a registry outage.
  std::vector<std::string> old_images;
  bool is_update = req.operation == "UPDATE" && req.old_object.is_object();
  if (is_update) {
    auto old = ImagesOfObject(req.kind.group, req.kind.kind, req.old_object);
    if (old.ok()) {
      for (const auto& use : old.value()) old_images.push_back(use.image);
    }
  }
  auto deadline = start + std::min(budget, policy->timeouts.check);
  ObjectToCheck target{req.kind.group, req.kind.kind, req.ns, &req.object, is_update ? &old_images : nullptr};
  auto checked = CheckObject(target, checker_, *policy, secrets_, deadline);
  if (!checked.ok()) {
    result.http_status = 400;
    result.body = {{"error", "request.object: " + checked.status().message()}};
    result.log_fields["decision"] = "error";
    result.log_fields["error"] = checked.status().message();
    return result;
  }
  const policy::Verdict& verdict = checked->verdict;
  result.body = BuildResponse(req.api_version, req.uid, verdict);
  result.log_fields["decision"] = verdict.allowed() ? "allow" : "deny";
  result.log_fields["images"] = checked->images;
  result.log_fields["denials"] = verdict.denials.size();
  result.log_fields["warnings"] = verdict.warnings.size();
  return result;
}

}  // namespace pullguard::admission

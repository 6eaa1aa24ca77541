#include "admission/handler.h"

#include <algorithm>

#include "admission/response.h"
#include "admission/review.h"
#include "admission/workload.h"
#include "common/log.h"
#include "common/metrics.h"

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

std::string ReviewLog::Format(int http_status, double duration_ms) const {
  std::string line;
  line.reserve(320);
  line += "{\"ts\":\"" + LogTimestamp() + "\",\"level\":\"" + (http_status == 200 ? "info" : "warn") +
          "\",\"msg\":\"review\"";
  auto field = [&line](const char* key, const std::string& value) {
    if (value.empty()) return;
    line += ",\"";
    line += key;
    line += "\":";
    line += JsonQuote(value);
  };
  field("uid", uid);
  field("kind", kind);
  field("namespace", ns);
  field("name", name);
  field("operation", operation);
  field("subResource", sub_resource);
  if (!uid.empty()) line += std::string(",\"dryRun\":") + (dry_run ? "true" : "false");
  field("decision", decision);
  field("skipped", skipped);
  field("error", error);
  if (decision == "allow" || decision == "deny") {
    if (skipped.empty()) {
      line += ",\"images\":" + std::to_string(images) + ",\"denials\":" + std::to_string(denials) +
              ",\"warnings\":" + std::to_string(warnings);
    }
  }
  char duration[64];
  std::snprintf(duration, sizeof duration, ",\"status\":%d,\"durationMs\":%.3f}", http_status, duration_ms);
  line += duration;
  return line;
}

HandleResult ReviewHandler::Handle(std::string_view body, std::chrono::steady_clock::time_point deadline) const {
  auto start = std::chrono::steady_clock::now();
  HandleResult result;
  auto decoded = DecodeReview(body);
  if (!decoded.ok()) {
    result.http_status = 400;
    result.body = nlohmann::json{{"error", decoded.status().message()}}.dump();
    result.log.decision = "error";
    result.log.error = decoded.status().message();
    return result;
  }
  const ReviewRequest& req = decoded.value();
  result.log.uid = req.uid;
  result.log.kind = req.kind.kind;
  result.log.ns = req.ns;
  result.log.name = req.name;
  result.log.operation = req.operation;
  result.log.sub_resource = req.sub_resource;
  result.log.dry_run = req.dry_run;

  std::shared_ptr<const policy::Policy> policy = policies_.Current();
  if (std::string skip = SkipReason(req, *policy); !skip.empty()) {
    result.body = AllowedText(req.api_version, req.uid);
    result.log.decision = "allow";
    result.log.skipped = skip;
    return result;
  }
  auto pod = PodOfObject(req.kind.group, req.kind.kind, req.object);
  if (!pod.ok()) {
    result.http_status = 400;
    result.body = nlohmann::json{{"error", "request.object: " + pod.status().message()}}.dump();
    result.log.decision = "error";
    result.log.error = pod.status().message();
    return result;
  }
  if (!pod->has_value()) {  // SkipReason lets only kinds with a pod spec through
    result.body = AllowedText(req.api_version, req.uid);
    result.log.decision = "allow";
    return result;
  }
  checker::PodToCheck& target = *pod.value();
  target.ns = req.ns;
  target.tenant = req.uid;
  target.deadline = std::min(deadline, start + policy->timeouts.check);
  // On UPDATE, an image the old object already ran was checked when it came in; only new ones
  // are checked, so a label change never fails on a registry outage.
  if (req.operation == "UPDATE" && req.old_object.is_object()) {
    auto old = ImagesOfObject(req.kind.group, req.kind.kind, req.old_object);
    if (old.ok()) {
      for (const auto& use : old.value()) target.known_images.push_back(use.image);
    }
  }
  checker::PodReport report = checker_.CheckPod(target, *policy);
  policy::Verdict verdict = policy::Decide(std::move(report.findings), *policy);
  for (const auto* list : {&verdict.denials, &verdict.warnings}) {
    for (const auto& f : *list) {
      CountFinding(f.reason, f.action);
    }
  }
  result.body = verdict.denials.empty() && verdict.warnings.empty()
                    ? AllowedText(req.api_version, req.uid)
                    : BuildResponse(req.api_version, req.uid, verdict)
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  result.log.decision = verdict.allowed() ? "allow" : "deny";
  result.log.images = report.images;
  result.log.denials = verdict.denials.size();
  result.log.warnings = verdict.warnings.size();
  return result;
}

}  // namespace pullguard::admission

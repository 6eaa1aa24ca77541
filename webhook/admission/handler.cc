#include "admission/handler.h"

#include <algorithm>

#include "admission/response.h"
#include "admission/review.h"
#include "checker/object_check.h"
#include "common/log.h"
#include "common/metrics.h"

namespace pullguard::admission {

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

HandleResult ReviewHandler::Handle(std::string_view body, const checker::ReviewTiming& timing,
                                  const policy::Policy& policy) const {
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

  checker::ObjectToCheck object;
  object.group = req.kind.group;
  object.kind = req.kind.kind;
  object.ns = req.ns;
  object.operation = req.operation;
  object.sub_resource = req.sub_resource;
  object.object = &req.object;
  object.old_object = &req.old_object;
  object.tenant = req.uid;
  checker::ObjectVerdict checked = checker::CheckObject(checker_, object, policy, timing);
  switch (checked.outcome) {
    case checker::ObjectVerdict::Outcome::kSkipped:
      result.body = AllowedText(req.api_version, req.uid);
      result.log.decision = "allow";
      result.log.skipped = checked.why;
      return result;
    case checker::ObjectVerdict::Outcome::kUnreadable:
      result.http_status = 400;
      result.body = nlohmann::json{{"error", "request.object: " + checked.why}}.dump();
      result.log.decision = "error";
      result.log.error = checked.why;
      return result;
    case checker::ObjectVerdict::Outcome::kChecked:
      break;
  }
  const policy::Verdict& verdict = checked.verdict;
  for (const auto* list : {&verdict.denials, &verdict.warnings}) {
    for (const auto& f : *list) CountFinding(f.reason, f.action);
  }
  result.body = verdict.denials.empty() && verdict.warnings.empty()
                    ? AllowedText(req.api_version, req.uid)
                    : BuildResponse(req.api_version, req.uid, verdict)
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  result.log.decision = verdict.allowed() ? "allow" : "deny";
  result.log.images = checked.images;
  result.log.denials = verdict.denials.size();
  result.log.warnings = verdict.warnings.size();
  return result;
}

}  // namespace pullguard::admission

#include "admission/review.h"

namespace pullguard::admission {
namespace {

using nlohmann::json;

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

int JsonDepth(std::string_view text, int limit) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > limit) return max_depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

Result<ReviewRequest> DecodeReview(std::string_view body) {
  if (JsonDepth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    return Status::InvalidArgument("the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("the body is not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("the body must be a JSON object (an AdmissionReview)");
  std::string api_version = StringField(doc, "apiVersion");
  if (api_version != kAdmissionV1 && api_version != kAdmissionV1beta1) {
    return Status::InvalidArgument("apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, not \"" +
                                   api_version + "\"");
  }
  if (StringField(doc, "kind") != "AdmissionReview") {
    return Status::InvalidArgument("kind must be AdmissionReview");
  }
  auto req_it = doc.find("request");
  if (req_it == doc.end() || !req_it->is_object()) {
    return Status::InvalidArgument("the AdmissionReview has no request object");
  }
  json& req = *req_it;
  ReviewRequest out;
  out.api_version = api_version;
  out.uid = StringField(req, "uid");
  if (out.uid.empty()) return Status::InvalidArgument("request.uid is missing");
  auto kind_it = req.find("kind");
  if (kind_it == req.end() || !kind_it->is_object() || StringField(*kind_it, "kind").empty()) {
    return Status::InvalidArgument("request.kind.kind is missing");
  }
  out.kind = {StringField(*kind_it, "group"), StringField(*kind_it, "version"), StringField(*kind_it, "kind")};
  out.sub_resource = StringField(req, "subResource");
  out.name = StringField(req, "name");
  out.ns = StringField(req, "namespace");
  out.operation = StringField(req, "operation");
  if (out.operation.empty()) return Status::InvalidArgument("request.operation is missing");
  auto dry_it = req.find("dryRun");
  out.dry_run = dry_it != req.end() && dry_it->is_boolean() && dry_it->get<bool>();
  if (auto it = req.find("object"); it != req.end()) out.object = std::move(*it);
  if (auto it = req.find("oldObject"); it != req.end()) out.old_object = std::move(*it);
  return out;
}

}  // namespace pullguard::admission

// ReviewRequest: an AdmissionReview (admission.k8s.io/v1 or v1beta1) decoded and checked.
// Bad bodies become InvalidArgument with words a webhook operator can act on.
// Thread-safety: value types and pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace pullguard::admission {

inline constexpr std::string_view kAdmissionV1 = "admission.k8s.io/v1";
inline constexpr std::string_view kAdmissionV1beta1 = "admission.k8s.io/v1beta1";
// Deeper JSON is refused before parsing: no pod spec nests this deep, and the limit keeps
// recursive code far from the stack's end.
inline constexpr int kMaxJsonDepth = 200;

struct GroupVersionKind {
  std::string group, version, kind;
};

struct ReviewRequest {
  std::string api_version;  // answered in the same version
  std::string uid;
  GroupVersionKind kind;
  std::string sub_resource;  // "" for the object itself
  std::string name;
  std::string ns;
  std::string operation;  // CREATE, UPDATE, DELETE, CONNECT
  bool dry_run = false;
  nlohmann::json object;      // null when absent
  nlohmann::json old_object;  // null when absent (CREATE)
};

Result<ReviewRequest> DecodeReview(std::string_view body);

// Nesting depth of a JSON text, strings skipped; stops counting at `limit` + 1.
int JsonDepth(std::string_view text, int limit);

}  // namespace pullguard::admission

// ReviewHandler: one AdmissionReview in, one answer out: the envelope, what to check
// (operation, subresource, namespace exemptions, images new versus oldObject), the kind's pod
// spec handed to checker::Checker::CheckPod, and the policy's verdict as the response. Dry
// runs are handled exactly like real requests: nothing here has side effects.
// Thread-safety: Handle() may be called concurrently.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "checker/checker.h"
#include "policy/policy_store.h"

namespace pullguard::admission {

// What the request log line says about one review (never the object, never secrets).
struct ReviewLog {
  std::string uid, kind, ns, name, operation, sub_resource;
  bool dry_run = false;
  std::string decision;  // allow, deny, error
  std::string skipped;   // why nothing was checked, if so
  std::string error;
  size_t images = 0, denials = 0, warnings = 0;

  // One JSON object (no newline) with ts, level, msg "review", these fields, status, durationMs.
  std::string Format(int http_status, double duration_ms) const;
};

struct HandleResult {
  int http_status = 200;  // 400 for a body that is no AdmissionReview
  std::string body;       // the AdmissionReview answer, or {"error": ...}, serialized
  ReviewLog log;
};

class ReviewHandler {
 public:
  ReviewHandler(const checker::Checker& checker, const policy::PolicyStore& policies)
      : checker_(checker), policies_(policies) {}

  // `deadline`: when the answer must be ready (the API server's timeout, counted from the
  // request's arrival, less a margin); the checks stop waiting there.
  HandleResult Handle(std::string_view body, std::chrono::steady_clock::time_point deadline) const;

 private:
  const checker::Checker& checker_;
  const policy::PolicyStore& policies_;
};

}  // namespace pullguard::admission

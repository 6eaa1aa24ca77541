// ReviewHandler: one AdmissionReview in, one answer out. It reads the envelope, hands the
// object to checker::CheckObject (the one path from an object to a verdict, which `check`
// takes too) and writes the verdict as the response. Dry runs are handled exactly like real
// requests: nothing here has side effects.
// Thread-safety: Handle() may be called concurrently.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "checker/checker.h"
#include "checker/deadline.h"
#include "policy/policy.h"

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
  explicit ReviewHandler(const checker::Checker& checker) : checker_(checker) {}

  // `timing`: when the request arrived and the API server's ?timeout=; with `policy` (the one
  // snapshot the whole review uses) they give the deadline the checks stop waiting at.
  HandleResult Handle(std::string_view body, const checker::ReviewTiming& timing, const policy::Policy& policy) const;

 private:
  const checker::Checker& checker_;
};

}  // namespace pullguard::admission

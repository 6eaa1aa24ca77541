// ReviewHandler: one AdmissionReview in, one answer out. Decides what to check (operation,
// subresource, namespace exemptions, images new versus oldObject), runs the checker and maps
// findings through the policy. Dry runs are handled exactly like real requests: nothing here
// has side effects.
// Thread-safety: Handle() may be called concurrently.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/secret_source.h"
#include "checker/checker.h"
#include "policy/policy_store.h"

namespace pullguard::admission {

struct HandleResult {
  int http_status = 200;      // 400 for a body that is no AdmissionReview
  nlohmann::json body;        // the AdmissionReview answer, or {"error": ...}
  nlohmann::json log_fields;  // uid, kind, namespace, decision... (never secrets)
};

class ReviewHandler {
 public:
  // `secrets` may be null: pull secrets are then not looked up.
  ReviewHandler(const checker::Checker& checker, const policy::PolicyStore& policies,
                auth::SecretSource* secrets = nullptr)
      : checker_(checker), policies_(policies), secrets_(secrets) {}

  HandleResult Handle(std::string_view body, std::chrono::milliseconds budget) const;

 private:
  const checker::Checker& checker_;
  const policy::PolicyStore& policies_;
  auth::SecretSource* secrets_;
};

}  // namespace pullguard::admission

#include "admission/response.h"

#include <algorithm>

#include "common/log.h"

namespace pullguard::admission {

std::string FormatWarning(const Finding& finding, size_t max_length) {
  std::string full = FormatFinding(finding);
  if (full.size() <= max_length) return full;
  // Shorten the fix, never the detail: a warning that loses "ratelimit-remaining 0" or the
  // secret's name is shorter and useless. A list ("nearest: 1.25.5, 1.25.4") loses items
  // from its end first; then the line may grow to the API server's bound; then the fix goes.
  Finding shorter = finding;
  while (true) {
    size_t comma = shorter.fix.rfind(", ");
    if (comma == std::string::npos) break;
    shorter.fix.resize(comma);
    std::string line = FormatFinding(shorter);
    if (line.size() <= max_length) return line;
  }
  if (full.size() <= std::max(max_length, kApiServerWarningBound)) return full;
  shorter.fix.clear();
  return FormatFinding(shorter);
}

nlohmann::json BuildAllowed(const std::string& api_version, const std::string& uid) {
  return {{"apiVersion", api_version},
          {"kind", "AdmissionReview"},
          {"response", {{"uid", uid}, {"allowed", true}}}};
}

std::string AllowedText(const std::string& api_version, const std::string& uid) {
  return "{\"apiVersion\":" + JsonQuote(api_version) + ",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":" +
         JsonQuote(uid) + ",\"allowed\":true}}";
}

nlohmann::json BuildResponse(const std::string& api_version, const std::string& uid, const policy::Verdict& verdict) {
  nlohmann::json doc = BuildAllowed(api_version, uid);
  nlohmann::json& response = doc["response"];
  response["allowed"] = verdict.allowed();
  if (!verdict.allowed()) {
    std::string message;
    for (size_t i = 0; i < verdict.denials.size() && i < kMaxDenialLines; ++i) {
      message += (message.empty() ? "" : "\n") + FormatFinding(verdict.denials[i]);
    }
    if (verdict.denials.size() > kMaxDenialLines) {
      message += "\n... and " + std::to_string(verdict.denials.size() - kMaxDenialLines) + " more (" +
                 std::to_string(verdict.denials.size()) + " in all)";
    }
    response["status"] = {{"apiVersion", "v1"}, {"kind", "Status"}, {"metadata", nlohmann::json::object()},
                          {"status", "Failure"}, {"reason", "Forbidden"}, {"code", 403},
                          {"message", message}};
  }
  if (!verdict.warnings.empty()) {
    nlohmann::json warnings = nlohmann::json::array();
    for (size_t i = 0; i < verdict.warnings.size() && i < kMaxWarnings; ++i) warnings.push_back(FormatWarning(verdict.warnings[i]));
    if (verdict.warnings.size() > kMaxWarnings) {
      warnings.push_back("... and " + std::to_string(verdict.warnings.size() - kMaxWarnings) + " more warnings");
    }
    response["warnings"] = std::move(warnings);
  }
  return doc;
}

}  // namespace pullguard::admission

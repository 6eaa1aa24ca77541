// AdmissionReview responses, in the API version the request used. A denial is HTTP 200 with
// allowed=false and status.code 403; its message holds one line per denying finding.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "policy/policy.h"

namespace pullguard::admission {

// kubectl prints each warning on its own line; longer ones wrap badly.
inline constexpr size_t kMaxWarningLength = 120;
// A denial lists at most this many findings, and says how many more; warnings likewise. A
// review with 50,000 bad images would otherwise answer with a 10 MB message.
inline constexpr size_t kMaxDenialLines = 50;
inline constexpr size_t kMaxWarnings = 20;

// The warning text for a finding: its full line when that fits in `max_length`, else without
// the fix. The path, image, reason and detail are never cut, so a long image may exceed it.
std::string FormatWarning(const Finding& finding, size_t max_length = kMaxWarningLength);

nlohmann::json BuildResponse(const std::string& api_version, const std::string& uid, const policy::Verdict& verdict);

// An allowed response with no findings (skipped operations and exempt namespaces).
nlohmann::json BuildAllowed(const std::string& api_version, const std::string& uid);
// The same, serialized; the common answer, written without building a JSON tree.
std::string AllowedText(const std::string& api_version, const std::string& uid);

}  // namespace pullguard::admission

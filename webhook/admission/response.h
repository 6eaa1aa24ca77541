// AdmissionReview responses, in the API version the request used. A denial is HTTP 200 with
// allowed=false and status.code 403; its message holds one line per denying finding.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "policy/policy.h"

namespace pullguard::admission {

// kubectl prints each warning on its own line; longer ones wrap badly. Kubernetes asks
// webhooks to keep warnings within 120 characters where they can, and its API server may cut
// one past 256 runes (when a response's warnings pass 4 KiB).
inline constexpr size_t kMaxWarningLength = 120;
inline constexpr size_t kApiServerWarningBound = 256;
// A denial lists at most this many findings, and says how many more; warnings likewise. A
// review with 50,000 bad images would otherwise answer with a 10 MB message.
inline constexpr size_t kMaxDenialLines = 50;
inline constexpr size_t kMaxWarnings = 20;

// The warning text for a finding: its full line when that fits in `max_length`; else with the
// fix's list shortened to fit; else the full line while it fits kApiServerWarningBound (a fix is
// what a person acts on: worth a wrapped line); else without the fix. The path, image, reason
// and detail are never cut, so a long image may exceed either bound.
std::string FormatWarning(const Finding& finding, size_t max_length = kMaxWarningLength);

nlohmann::json BuildResponse(const std::string& api_version, const std::string& uid, const policy::Verdict& verdict);

// An allowed response with no findings (skipped operations and exempt namespaces).
nlohmann::json BuildAllowed(const std::string& api_version, const std::string& uid);
// The same, serialized; the common answer, written without building a JSON tree.
std::string AllowedText(const std::string& api_version, const std::string& uid);

}  // namespace pullguard::admission

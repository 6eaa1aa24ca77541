// RFC 3339 times as the Kubernetes API writes them: metav1.Time ("2026-12-03T00:31:52Z") and
// metav1.MicroTime ("2026-12-03T00:31:52.123456Z"), read with any offset and up to nine
// fractional digits. The one parser and formatter of them.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pullguard {

// nullopt for anything that is not a valid RFC 3339 date-time (years 1700 to 2200).
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);

// metav1.Time: whole seconds, UTC, "Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

// metav1.MicroTime: six fractional digits, UTC, "Z".
std::string FormatRfc3339Micro(std::chrono::system_clock::time_point t);

}  // namespace pullguard

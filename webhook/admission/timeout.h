// The API server appends ?timeout=<Go duration> (e.g. "10s") to a webhook's URL; pullguard
// answers before it, minus a margin.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pullguard::admission {

// Parses a Go duration such as "10s", "1m30s", "500ms", "2.5s". nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseGoDuration(std::string_view text);

// The time the checks may take: the API server's timeout (default 10 s, as the API server's),
// minus `margin`, never below `floor`.
std::chrono::milliseconds CheckBudget(std::optional<std::chrono::milliseconds> api_timeout,
                                      std::chrono::milliseconds margin = std::chrono::milliseconds(500),
                                      std::chrono::milliseconds floor = std::chrono::milliseconds(100));

}  // namespace pullguard::admission

#include "admission/timeout.h"

#include <cstdlib>
#include <string>

namespace pullguard::admission {

std::optional<std::chrono::milliseconds> ParseGoDuration(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double value = std::strtod(std::string(text.substr(start, i - start)).c_str(), nullptr);
    size_t unit_start = i;
    while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z') || text[i] == 'u')) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit == "h") {
      total_ms += value * 3600000;
    } else if (unit == "m") {
      total_ms += value * 60000;
    } else if (unit == "s") {
      total_ms += value * 1000;
    } else if (unit == "ms") {
      total_ms += value;
    } else if (unit == "us" || unit == "µs") {
      total_ms += value / 1000;
    } else if (unit == "ns") {
      total_ms += value / 1e6;
    } else {
      return std::nullopt;
    }
  }
  // A day is far beyond any admission timeout; larger values would overflow the conversion.
  constexpr double kMaxMs = 24.0 * 3600 * 1000;
  if (!(total_ms <= kMaxMs)) total_ms = kMaxMs;
  return std::chrono::milliseconds(static_cast<long long>(total_ms));
}

std::chrono::milliseconds CheckBudget(std::optional<std::chrono::milliseconds> api_timeout,
                                      std::chrono::milliseconds margin, std::chrono::milliseconds floor) {
  std::chrono::milliseconds timeout = api_timeout.value_or(std::chrono::seconds(10));
  std::chrono::milliseconds budget = timeout - margin;
  return budget < floor ? floor : budget;
}

}  // namespace pullguard::admission

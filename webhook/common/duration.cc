#include "common/duration.h"

#include <cstdint>
#include <limits>

namespace pullguard {
namespace {

// Nanoseconds per unit, longest spellings first where one is a prefix of another.
struct Unit {
  std::string_view name;
  uint64_t ns;
};
constexpr Unit kUnits[] = {
    {"ns", 1},          {"us", 1000},          {"\xC2\xB5s", 1000},         {"\xCE\xBCs", 1000},
    {"ms", 1000000},    {"s", 1000000000ULL},  {"m", 60000000000ULL},       {"h", 3600000000000ULL},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return std::nullopt;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t total = 0;
  while (!text.empty()) {
    // [0-9]*(\.[0-9]*)?, at least one digit on one side of the dot.
    uint64_t whole = 0;
    bool overflow = false, any_digit = false;
    size_t i = 0;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      any_digit = true;
      if (whole > (kMax - 9) / 10) overflow = true;
      whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    uint64_t frac = 0, scale = 1;
    if (i < text.size() && text[i] == '.') {
      for (++i; i < text.size() && IsDigit(text[i]); ++i) {
        any_digit = true;
        if (scale > kMax / 10) continue;  // digits past the 19th cannot change whole nanoseconds
        frac = frac * 10 + static_cast<uint64_t>(text[i] - '0');
        scale *= 10;
      }
    }
    if (!any_digit || overflow) return std::nullopt;
    text.remove_prefix(i);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(0, u.name.size()) == u.name && (!unit || u.name.size() > unit->name.size())) unit = &u;
    }
    if (unit == nullptr) return std::nullopt;  // Go requires a unit on every number but a lone "0"
    text.remove_prefix(unit->name.size());
    if (whole > kMax / unit->ns) return std::nullopt;
    uint64_t value = whole * unit->ns;
    // The fraction, rounded down to whole nanoseconds (as Go does).
    value += static_cast<uint64_t>(static_cast<long double>(frac) * unit->ns / scale);
    if (value > kMax || total > kMax - value) return std::nullopt;
    total += value;
  }
  int64_t signed_total = static_cast<int64_t>(total);
  return std::chrono::nanoseconds(negative ? -signed_total : signed_total);
}

}  // namespace pullguard

#include "audit/cron_schedule.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

#include "common/duration.h"
#include "common/rfc3339.h"

namespace pullguard::audit {
namespace {

constexpr uint64_t kStar = uint64_t{1} << 63;

struct Bounds {
  unsigned min, max;
  const std::array<std::string_view, 12>* names;  // index + min is the value; null: numbers only
};

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", "", "", "", "", ""};

constexpr Bounds kMinute{0, 59, nullptr}, kHour{0, 23, nullptr}, kDayOfMonth{1, 31, nullptr}, kMonth{1, 12, &kMonths},
    kDayOfWeek{0, 6, &kDays};

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s = s.substr(at + 1);
  }
}

Status Bad(std::string why) { return Status::InvalidArgument(std::move(why)); }

// robfig's mustParseInt: a non-negative decimal integer.
Result<unsigned> ParseInt(std::string_view s) {
  if (!s.empty() && s[0] == '-') return Bad("negative number (" + std::string(s) + ") not allowed");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return Bad("failed to parse int from \"" + std::string(s) + "\"");
  }
  return value;
}

// robfig's parseIntOrName: a name of the field (any case), else a number.
Result<unsigned> ParseIntOrName(std::string_view s, const Bounds& b) {
  if (b.names != nullptr) {
    std::string lower(s);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (size_t i = 0; i < b.names->size(); ++i) {
      if (!(*b.names)[i].empty() && (*b.names)[i] == lower) return static_cast<unsigned>(i + b.min);
    }
  }
  return ParseInt(s);
}

// robfig's getRange: "*", "?", "N", "N-M", each with an optional "/STEP" ("N/STEP" is N-max).
Result<uint64_t> ParseRange(std::string_view expr, const Bounds& b) {
  std::vector<std::string_view> range_and_step = Split(expr, '/');
  if (range_and_step.size() > 2) return Bad("too many slashes: \"" + std::string(expr) + "\"");
  std::vector<std::string_view> low_and_high = Split(range_and_step[0], '-');
  const bool single = low_and_high.size() == 1;
  unsigned start = 0, end = 0, step = 1;
  uint64_t extra = 0;
  if (low_and_high[0] == "*" || low_and_high[0] == "?") {
    start = b.min;
    end = b.max;
    extra = kStar;
  } else {
    auto low = ParseIntOrName(low_and_high[0], b);
    if (!low.ok()) return low.status();
    start = end = low.value();
    if (low_and_high.size() == 2) {
      auto high = ParseIntOrName(low_and_high[1], b);
      if (!high.ok()) return high.status();
      end = high.value();
    } else if (low_and_high.size() > 2) {
      return Bad("too many hyphens: \"" + std::string(expr) + "\"");
    }
  }
  if (range_and_step.size() == 2) {
    auto parsed = ParseInt(range_and_step[1]);
    if (!parsed.ok()) return parsed.status();
    step = parsed.value();
    if (single) end = b.max;
    if (step > 1) extra = 0;
  }
  const std::string quoted = " in \"" + std::string(expr) + "\"";
  if (start < b.min) return Bad("beginning of range (" + std::to_string(start) + ") below minimum (" + std::to_string(b.min) + ")" + quoted);
  if (end > b.max) return Bad("end of range (" + std::to_string(end) + ") above maximum (" + std::to_string(b.max) + ")" + quoted);
  if (start > end) return Bad("beginning of range (" + std::to_string(start) + ") beyond end of range (" + std::to_string(end) + ")" + quoted);
  if (step == 0) return Bad("step of range should be a positive number" + quoted);
  uint64_t bits = 0;
  for (unsigned v = start; v <= end; v += step) bits |= uint64_t{1} << v;
  return bits | extra;
}

Result<uint64_t> ParseField(std::string_view field, const Bounds& b) {
  uint64_t bits = 0;
  for (std::string_view part : Split(field, ',')) {
    auto range = ParseRange(part, b);
    if (!range.ok()) return range.status();
    bits |= range.value();
  }
  return bits;
}

bool Has(uint64_t bits, unsigned value) { return ((bits >> value) & 1) != 0; }

std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

}  // namespace

Result<CronSchedule> ParseCronSchedule(std::string_view text) {
  // The API server refuses these in spec.schedule since spec.timeZone exists.
  if (text.find("TZ") != std::string_view::npos) return Bad("a time zone in the schedule (TZ=, CRON_TZ=): use spec.timeZone");
  std::vector<std::string_view> fields = Fields(text);
  if (fields.empty()) return Bad("empty schedule");
  std::string expanded;
  if (fields[0][0] == '@') {
    std::string_view d = text.substr(text.find('@'));
    while (!d.empty() && std::isspace(static_cast<unsigned char>(d.back()))) d.remove_suffix(1);
    if (d == "@yearly" || d == "@annually") {
      expanded = "0 0 1 1 *";
    } else if (d == "@monthly") {
      expanded = "0 0 1 * *";
    } else if (d == "@weekly") {
      expanded = "0 0 * * 0";
    } else if (d == "@daily" || d == "@midnight") {
      expanded = "0 0 * * *";
    } else if (d == "@hourly") {
      expanded = "0 * * * *";
    } else if (d.rfind("@every ", 0) == 0) {
      auto every = ParseGoDuration(d.substr(7));
      if (!every) return Bad("failed to parse duration \"" + std::string(d.substr(7)) + "\"");
      CronSchedule s;
      // robfig's Every: whole seconds, at least one.
      s.every = std::max(std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(*every));
      return s;
    } else {
      return Bad("unrecognized descriptor: \"" + std::string(d) + "\"");
    }
    fields = Fields(expanded);
  }
  if (fields.size() != 5) {
    return Bad("expected exactly 5 fields (minute hour day-of-month month day-of-week), found " + std::to_string(fields.size()));
  }
  CronSchedule s;
  const std::array<std::pair<uint64_t*, const Bounds*>, 5> into = {{{&s.minute, &kMinute},
                                                                      {&s.hour, &kHour},
                                                                      {&s.day_of_month, &kDayOfMonth},
                                                                      {&s.month, &kMonth},
                                                                      {&s.day_of_week, &kDayOfWeek}}};
  for (size_t i = 0; i < into.size(); ++i) {
    auto bits = ParseField(fields[i], *into[i].second);
    if (!bits.ok()) return bits.status();
    *into[i].first = bits.value();
  }
  return s;
}

std::optional<std::chrono::system_clock::time_point> NextCronRun(const CronSchedule& s,
                                                                 std::chrono::system_clock::time_point after) {
  using namespace std::chrono;
  if (s.every.count() > 0) return floor<seconds>(after) + s.every;
  const int last_year = static_cast<int>(year_month_day(floor<days>(after)).year()) + 5;
  sys_time<minutes> t = floor<minutes>(after) + minutes(1);  // strictly after; the seconds field is 0
  // Each turn moves t forward by at least a minute, to the start of the next month, day or hour
  // that could match: within five years, a few thousand turns at most.
  while (true) {
    const sys_days day = floor<days>(t);
    const year_month_day ymd(day);
    if (static_cast<int>(ymd.year()) > last_year) return std::nullopt;
    if (!Has(s.month, static_cast<unsigned>(ymd.month()))) {
      t = sys_days((ymd.year() / ymd.month() / 1) + months(1));
      continue;
    }
    const bool dom = Has(s.day_of_month, static_cast<unsigned>(ymd.day()));
    const bool dow = Has(s.day_of_week, weekday(day).c_encoding());
    const bool either_star = (s.day_of_month & kStar) != 0 || (s.day_of_week & kStar) != 0;
    if (!(either_star ? dom && dow : dom || dow)) {
      t = day + days(1);
      continue;
    }
    const auto into_day = t - day;
    const auto hour = static_cast<unsigned>(duration_cast<hours>(into_day).count());
    if (!Has(s.hour, hour)) {
      t = day + hours(hour + 1);
      continue;
    }
    const auto minute = static_cast<unsigned>(duration_cast<minutes>(into_day).count() % 60);
    if (!Has(s.minute, minute)) {
      t += minutes(1);
      continue;
    }
    return time_point_cast<system_clock::duration>(t);
  }
}

std::string DescribeNextCronRun(const std::string& schedule, const std::string& time_zone,
                                std::chrono::system_clock::time_point now) {
  if (!time_zone.empty() && time_zone != "UTC" && time_zone != "Etc/UTC") {
    return "next run not computed: time zone " + time_zone;
  }
  auto parsed = ParseCronSchedule(schedule);
  if (!parsed.ok()) return "the schedule does not parse: " + parsed.status().message();
  auto next = NextCronRun(parsed.value(), now);
  if (!next) return "no run in the next five years";
  return "next run " + FormatRfc3339(*next);
}

}  // namespace pullguard::audit

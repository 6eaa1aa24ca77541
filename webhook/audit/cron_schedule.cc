#include "audit/cron_schedule.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <utility>
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

// robfig's dayMatches.
bool DayMatches(const CronSchedule& s, const TimeZone::Civil& c) {
  const bool dom = Has(s.day_of_month, static_cast<unsigned>(c.day));
  const bool dow = Has(s.day_of_week, static_cast<unsigned>(c.weekday));
  const bool either_star = (s.day_of_month & kStar) != 0 || (s.day_of_week & kStar) != 0;
  return either_star ? dom && dow : dom || dow;
}

// robfig bounds its walk by the year alone. A zone whose offsets keep moving the wall clock back
// could make that endless, so the steps are counted too; a real schedule takes a few hundred.
constexpr int kMaxSteps = 100000;

// robfig/cron v3's SpecSchedule.Next (spec.go) from `t` (a Unix second), on Go's time semantics:
// the fields are read on the zone's wall clock (t.Month(), ...: CivilAt); a field that does not
// match is reset through time.Date (TimeZone::Date) and stepped, months and days on the wall
// clock (t.AddDate: time.Date again), hours and minutes as durations (t.Add). Its jumps back to
// WRAP (the month check) are the `continue`s.
std::optional<int64_t> SpecNext(const CronSchedule& s, const TimeZone& zone, int64_t t) {
  auto add_date = [&zone](int64_t at, int months, int days) {
    const TimeZone::Civil c = zone.CivilAt(at);
    return zone.Date(c.year, c.month + months, c.day + days, c.hour, c.minute, c.second);
  };
  bool added = false;  // a field was stepped: the smaller ones start from their first value
  const int64_t year_limit = zone.CivilAt(t).year + 5;
  int steps = 0;
  auto spent = [&steps] { return ++steps > kMaxSteps; };
  while (!spent()) {
    TimeZone::Civil c = zone.CivilAt(t);
    if (c.year > year_limit) return std::nullopt;
    bool wrap = false;
    while (!Has(s.month, static_cast<unsigned>(c.month))) {
      if (spent()) return std::nullopt;
      if (!added) {
        added = true;
        t = zone.Date(c.year, c.month, 1, 0, 0, 0);
      }
      t = add_date(t, 1, 0);
      c = zone.CivilAt(t);
      if (c.month == 1) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    while (!DayMatches(s, c)) {
      if (spent()) return std::nullopt;
      if (!added) {
        added = true;
        t = zone.Date(c.year, c.month, c.day, 0, 0, 0);
      }
      t = add_date(t, 0, 1);
      c = zone.CivilAt(t);
      // robfig: "Notice if the hour is no longer midnight due to DST. Add an hour if it's 23,
      // subtract an hour if it's 1." (a day whose midnight a gap skips).
      if (c.hour != 0) {
        t += int64_t{c.hour > 12 ? 24 - c.hour : -c.hour} * 3600;
        c = zone.CivilAt(t);
      }
      if (c.day == 1) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    while (!Has(s.hour, static_cast<unsigned>(c.hour))) {
      if (spent()) return std::nullopt;
      if (!added) {
        added = true;
        t = zone.Date(c.year, c.month, c.day, c.hour, 0, 0);
      }
      t += 3600;
      c = zone.CivilAt(t);
      if (c.hour == 0) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    while (!Has(s.minute, static_cast<unsigned>(c.minute))) {
      if (spent()) return std::nullopt;
      if (!added) {
        added = true;
        t -= (t % 60 + 60) % 60;  // t.Truncate(time.Minute): on the instant, not the wall clock
      }
      t += 60;
      c = zone.CivilAt(t);
      if (c.minute == 0) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    // The standard parser's seconds field is "0". `t` is a whole second already (robfig's
    // Truncate(time.Second) changes nothing), but a zone's offset may not be whole minutes.
    while (c.second != 0) {
      if (spent()) return std::nullopt;
      added = true;
      t += 1;
      c = zone.CivilAt(t);
      if (c.second == 0) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    return t;
  }
  return std::nullopt;
}

bool IsUtcName(std::string_view name) { return name.empty() || name == "UTC" || name == "Etc/UTC"; }

// The zone `name`, none for UTC. `refused` starts the words for a name the controller refuses
// (Go's InvalidArgument and NotFound); a zone that cannot be read here is not computed.
Result<std::optional<TimeZone>> LoadZone(const std::string& name, const std::string& refused) {
  if (IsUtcName(name)) return std::optional<TimeZone>();
  Result<TimeZone> zone = TimeZone::Load(name);
  if (zone.ok()) return std::optional<TimeZone>(std::move(zone).value());
  const StatusCode code = zone.status().code();
  if (code == StatusCode::kInvalidArgument || code == StatusCode::kNotFound) {
    return Bad(refused + zone.status().message());
  }
  return Bad("next run not computed: " + zone.status().message());
}

// RFC 3339 on the zone's wall clock: "2026-12-04T03:00:00+01:00". In UTC when the offset is not
// whole minutes (RFC 3339 has none), which no zone has had since local mean time.
std::string FormatInZone(std::chrono::system_clock::time_point at, const TimeZone& zone) {
  const int64_t unix = std::chrono::floor<std::chrono::seconds>(at.time_since_epoch()).count();
  const int offset = zone.OffsetAt(unix);
  if (offset % 60 != 0 || std::abs(offset) >= 86400) return FormatRfc3339(at);
  const TimeZone::Civil c = zone.CivilAt(unix);
  const int minutes = std::abs(offset) / 60;
  char text[96];
  std::snprintf(text, sizeof text, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
                static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second,
                offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
  return text;
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

std::optional<std::chrono::system_clock::time_point> NextCronRun(
    const CronSchedule& s, std::chrono::system_clock::time_point after, const TimeZone* zone) {
  using namespace std::chrono;
  if (s.every.count() > 0) return floor<seconds>(after) + s.every;  // ConstantDelaySchedule
  const TimeZone utc = TimeZone::Utc();
  // robfig starts at the next whole second: t.Add(1*time.Second - t.Nanosecond()).
  const int64_t start = floor<seconds>(after).time_since_epoch().count() + 1;
  const std::optional<int64_t> next = SpecNext(s, zone != nullptr ? *zone : utc, start);
  // system_clock counts nanoseconds in 64 bits: about 1678 to 2262.
  constexpr int64_t kClockLimit = 9000000000;
  if (!next || *next < -kClockLimit || *next > kClockLimit) return std::nullopt;
  return system_clock::time_point(seconds(*next));
}

Result<CronJobSchedule> ReadCronJobSchedule(const std::string& schedule,
                                            const std::string& time_zone) {
  CronJobSchedule out;
  // syncCronJob checks spec.timeZone first: a zone it cannot load stops it, whatever the schedule.
  auto zone =
      LoadZone(time_zone, "no run (UnknownTimeZone): invalid timeZone: \"" + time_zone + "\": ");
  if (!zone.ok()) return zone.status();
  out.zone = std::move(zone).value();
  // robfig's Parse: "TZ=ZONE rest" or "CRON_TZ=ZONE rest" (up to the first space) is the schedule's
  // own zone; formatSchedule passes such a schedule as written, so it wins over spec.timeZone.
  std::string_view spec = schedule;
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    const size_t eq = spec.find('='), space = spec.find(' ');
    // robfig slices up to a space that is not there, and panics.
    if (space == std::string_view::npos) {
      return Bad("the schedule does not parse: a time zone, and no schedule");
    }
    const std::string name(spec.substr(eq + 1, space - eq - 1));
    auto own = LoadZone(name, "the schedule does not parse: provided bad location " + name + ": ");
    if (!own.ok()) return own.status();
    out.zone = std::move(own).value();
    spec.remove_prefix(space);
  }
  auto parsed = ParseCronSchedule(spec);
  if (!parsed.ok()) return Bad("the schedule does not parse: " + parsed.status().message());
  out.schedule = parsed.value();
  return out;
}

std::optional<std::chrono::system_clock::time_point> NextJobRun(const CronJobSchedule& read,
                                                                std::chrono::system_clock::time_point after) {
  using namespace std::chrono;
  const seconds every = read.schedule.every;
  if (every.count() <= 0 || !read.since) return NextCronRun(read.schedule, after, read.zone ? &*read.zone : nullptr);
  // mostRecentScheduleTime: t1 = Next(since); runs missed since t1 in whole periods (seconds).
  const system_clock::time_point first = floor<seconds>(*read.since) + every;
  if (after < first) return first;
  const int64_t elapsed = duration_cast<seconds>(after - first).count();
  return first + every * (elapsed / every.count() + 1);
}

std::string DescribeNextCronRun(const std::string& schedule, const std::string& time_zone,
                                std::chrono::system_clock::time_point now,
                                std::optional<std::chrono::system_clock::time_point> since) {
  Result<CronJobSchedule> read = ReadCronJobSchedule(schedule, time_zone);
  if (!read.ok()) return read.status().message();
  read.value().since = since;
  const TimeZone* zone = read->zone ? &*read->zone : nullptr;
  auto next = NextJobRun(read.value(), now);
  if (!next) return "no run in the next five years";
  if (zone == nullptr) return "next run " + FormatRfc3339(*next);
  return "next run " + FormatInZone(*next, *zone) + " (" + zone->name + ")";
}

}  // namespace pullguard::audit

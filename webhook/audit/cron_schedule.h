// A CronJob's spec.schedule, read as the CronJob controller reads it (robfig/cron v3's
// ParseStandard): five fields (minute hour day-of-month month day-of-week) with *, ?, lists,
// ranges, steps and the names JAN-DEC and SUN-SAT, or a descriptor (@yearly, @annually,
// @monthly, @weekly, @daily, @midnight, @hourly, @every DURATION). Day of month and day of week
// both restricted: either matches (cron's rule); one of them * or ?: both must.
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace pullguard::audit {

struct CronSchedule {
  // One bit per allowed value; bit 63 set when the field was * or ? (robfig's starBit).
  uint64_t minute = 0, hour = 0, day_of_month = 0, month = 0, day_of_week = 0;
  std::chrono::seconds every{0};  // @every: a constant delay instead of the fields
};

Result<CronSchedule> ParseCronSchedule(std::string_view text);

// The first run strictly after `after`, in UTC (the controller's zone when spec.timeZone is
// unset, in the usual kube-controller-manager image); none within five years (robfig's limit:
// "0 0 30 2 *" never runs).
std::optional<std::chrono::system_clock::time_point> NextCronRun(const CronSchedule& schedule,
                                                                 std::chrono::system_clock::time_point after);

// What a report says of a CronJob's next run: "2026-12-03T06:25:00Z"; or why it is not known
// (a time zone pullguard does not compute in, a schedule that does not parse, no run in five
// years).
std::string DescribeNextCronRun(const std::string& schedule, const std::string& time_zone,
                                std::chrono::system_clock::time_point now);

}  // namespace pullguard::audit

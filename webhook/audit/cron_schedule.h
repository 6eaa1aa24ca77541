// A CronJob's spec.schedule, read as the CronJob controller reads it (robfig/cron v3's
// ParseStandard): five fields (minute hour day-of-month month day-of-week) with *, ?, lists,
// ranges, steps and the names JAN-DEC and SUN-SAT, or a descriptor (@yearly, @annually,
// @monthly, @weekly, @daily, @midnight, @hourly, @every DURATION). Day of month and day of week
// both restricted: either matches (cron's rule); one of them * or ?: both must.
// Thread-safety: value types and pure functions, but for ReadCronJobSchedule and
// DescribeNextCronRun, which read a time zone's file (TimeZone::Load).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/time_zone.h"
#include "common/status.h"

namespace pullguard::audit {

struct CronSchedule {
  // One bit per allowed value; bit 63 set when the field was * or ? (robfig's starBit).
  uint64_t minute = 0, hour = 0, day_of_month = 0, month = 0, day_of_week = 0;
  std::chrono::seconds every{0};  // @every: a constant delay instead of the fields
};

Result<CronSchedule> ParseCronSchedule(std::string_view text);

// The first run strictly after `after`, as robfig/cron v3's SpecSchedule.Next finds it on the
// wall clock of `zone` (null: UTC, the controller's zone when spec.timeZone is unset, in the
// usual kube-controller-manager image); none within five years (robfig's limit: "0 0 30 2 *"
// never runs). Its daylight-saving behaviour is robfig's, odd as it is: a run whose wall time a
// spring-forward gap skips does not happen that day (Europe/Berlin "30 2 * * *" skips
// 2027-03-28); one in a fall-back overlap can happen twice (America/New_York "0 1 * * *" runs
// at 05:00Z and at 06:00Z on 2026-11-01).
std::optional<std::chrono::system_clock::time_point> NextCronRun(
    const CronSchedule& schedule, std::chrono::system_clock::time_point after,
    const TimeZone* zone = nullptr);

// A CronJob's spec.schedule and spec.timeZone as the controller reads them (syncCronJob and
// formatSchedule in cronjob_controllerv2.go): spec.timeZone must load (time.LoadLocation), or the
// controller starts no Job (its event UnknownTimeZone); a schedule that starts "TZ=ZONE " or
// "CRON_TZ=ZONE " is in that zone, whatever spec.timeZone says (robfig's parser reads the prefix;
// the API server refuses it in new schedules, but older CronJobs keep theirs and run); else the
// zone is spec.timeZone's, UTC when it is unset, "UTC" or "Etc/UTC".
struct CronJobSchedule {
  CronSchedule schedule;
  std::optional<TimeZone> zone;  // none: UTC
  // Where the controller counts runs from (its mostRecentScheduleTime's earliestTime):
  // status.lastScheduleTime, else metadata.creationTimestamp. Only @every needs it: its runs are
  // that time plus whole periods, not times of day. None: counted from `after`.
  std::optional<std::chrono::system_clock::time_point> since;
};
// An error's message is what a report says instead of the next run:
//   no run (UnknownTimeZone): invalid timeZone: "Mars/Olympus": unknown time zone Mars/Olympus
// (the controller's event), "the schedule does not parse: ...", or "next run not computed: ..."
// when the zone cannot be read here (no time zone database in this image, an unreadable file).
Result<CronJobSchedule> ReadCronJobSchedule(const std::string& schedule,
                                            const std::string& time_zone);

// The CronJob's next Job strictly after `after`, as the controller starts it: NextCronRun, but
// for @every counted from `since` when known (since + d, + 2d, ...), as the controller's
// mostRecentScheduleTime counts missed runs in whole periods.
std::optional<std::chrono::system_clock::time_point> NextJobRun(const CronJobSchedule& read,
                                                                std::chrono::system_clock::time_point after);

// What a report says of a CronJob's next run: "next run 2026-12-03T06:25:00Z" in UTC, "next run
// 2026-12-04T03:00:00+01:00 (Europe/Berlin)" in another zone; or why it is not known
// (ReadCronJobSchedule's words, or "no run in the next five years").
std::string DescribeNextCronRun(const std::string& schedule, const std::string& time_zone,
                                std::chrono::system_clock::time_point now,
                                std::optional<std::chrono::system_clock::time_point> since = std::nullopt);

}  // namespace pullguard::audit

// CronJob schedules as the CronJob controller reads them (robfig/cron v3's standard parser):
// the next run, cron's day-of-month / day-of-week rule, names, descriptors, and the errors.
#include <catch2/catch.hpp>

#include "audit/cron_schedule.h"
#include "common/rfc3339.h"

namespace pullguard::audit {
namespace {

std::chrono::system_clock::time_point At(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

// The next run after `after`, as RFC 3339, or "never", or "error: ...".
std::string Next(const char* schedule, const char* after) {
  auto parsed = ParseCronSchedule(schedule);
  if (!parsed.ok()) return "error: " + parsed.status().message();
  auto next = NextCronRun(parsed.value(), At(after));
  return next ? FormatRfc3339(*next) : "never";
}

// 2026-12-03 is a Thursday.
TEST_CASE("cron: the next run is strictly after now, minute by minute, hour and day") {
  CHECK(Next("*/15 * * * *", "2026-12-03T06:20:10Z") == "2026-12-03T06:30:00Z");
  CHECK(Next("0 3 * * *", "2026-12-03T06:20:00Z") == "2026-12-04T03:00:00Z");
  CHECK(Next("20 6 * * *", "2026-12-03T06:20:00Z") == "2026-12-04T06:20:00Z");
  CHECK(Next("20 6 * * *", "2026-12-03T06:19:59Z") == "2026-12-03T06:20:00Z");
  CHECK(Next("59 23 31 12 *", "2026-12-03T00:00:00Z") == "2026-12-31T23:59:00Z");
  CHECK(Next("0 0 1 1 *", "2026-12-31T23:59:00Z") == "2027-01-01T00:00:00Z");
}

TEST_CASE("cron: day of month and day of week, either matches unless one of them is * or ?") {
  CHECK(Next("0 0 13 * 5", "2026-12-03T00:00:00Z") == "2026-12-04T00:00:00Z");  // Friday, not the 13th
  CHECK(Next("0 0 13 * *", "2026-12-03T00:00:00Z") == "2026-12-13T00:00:00Z");
  CHECK(Next("0 0 ? * fri", "2026-12-04T00:00:00Z") == "2026-12-11T00:00:00Z");
  // "*/1" keeps the star: Fridays only. "1-31" is a list: every day, or a Friday.
  CHECK(Next("0 0 */1 * 5", "2026-12-04T00:00:00Z") == "2026-12-11T00:00:00Z");
  CHECK(Next("0 0 1-31 * 5", "2026-12-04T00:00:00Z") == "2026-12-05T00:00:00Z");
}

TEST_CASE("cron: names, lists, ranges and steps") {
  CHECK(Next("0 12 * JAN,jul mon-fri", "2026-12-03T00:00:00Z") == "2027-01-01T12:00:00Z");  // a Friday
  CHECK(Next("5/20 * * * *", "2026-12-03T06:26:00Z") == "2026-12-03T06:45:00Z");  // 5, 25, 45
  CHECK(Next("0 8-10/2 * * *", "2026-12-03T08:30:00Z") == "2026-12-03T10:00:00Z");
}

TEST_CASE("cron: descriptors, and a schedule with no run in five years") {
  CHECK(Next("@hourly", "2026-12-03T06:20:00Z") == "2026-12-03T07:00:00Z");
  CHECK(Next("@daily", "2026-12-03T06:20:00Z") == "2026-12-04T00:00:00Z");
  CHECK(Next("@weekly", "2026-12-03T06:20:00Z") == "2026-12-06T00:00:00Z");  // Sunday
  CHECK(Next("@monthly", "2026-12-03T06:20:00Z") == "2027-01-01T00:00:00Z");
  CHECK(Next("@every 90s", "2026-12-03T06:20:00Z") == "2026-12-03T06:21:30Z");
  CHECK(Next("0 0 29 2 *", "2026-12-03T00:00:00Z") == "2028-02-29T00:00:00Z");
  CHECK(Next("0 0 30 2 *", "2026-12-03T00:00:00Z") == "never");
}

TEST_CASE("cron: what does not parse says why, in robfig's words") {
  CHECK(Next("60 * * * *", "2026-12-03T00:00:00Z") == "error: end of range (60) above maximum (59) in \"60\"");
  CHECK(Next("0 0 0 * *", "2026-12-03T00:00:00Z") == "error: beginning of range (0) below minimum (1) in \"0\"");
  CHECK(Next("5-2 * * * *", "2026-12-03T00:00:00Z") == "error: beginning of range (5) beyond end of range (2) in \"5-2\"");
  CHECK(Next("*/0 * * * *", "2026-12-03T00:00:00Z") == "error: step of range should be a positive number in \"*/0\"");
  CHECK(Next("* * * *", "2026-12-03T00:00:00Z").rfind("error: expected exactly 5 fields", 0) == 0);
  CHECK(Next("x * * * *", "2026-12-03T00:00:00Z") == "error: failed to parse int from \"x\"");
  CHECK(Next("1-2-3 * * * *", "2026-12-03T00:00:00Z") == "error: too many hyphens: \"1-2-3\"");
  CHECK(Next("@reboot", "2026-12-03T00:00:00Z") == "error: unrecognized descriptor: \"@reboot\"");
  CHECK(Next("TZ=UTC 0 * * * *", "2026-12-03T00:00:00Z").find("use spec.timeZone") != std::string::npos);
  CHECK(Next("", "2026-12-03T00:00:00Z") == "error: empty schedule");
}

TEST_CASE("cron: a report's words for the next run, and a time zone it does not compute in") {
  auto now = At("2026-12-03T06:20:00Z");
  CHECK(DescribeNextCronRun("0 3 * * *", "", now) == "next run 2026-12-04T03:00:00Z");
  CHECK(DescribeNextCronRun("0 3 * * *", "Etc/UTC", now) == "next run 2026-12-04T03:00:00Z");
  CHECK(DescribeNextCronRun("0 3 * * *", "Europe/Berlin", now) == "next run not computed: time zone Europe/Berlin");
  CHECK(DescribeNextCronRun("0 0 30 2 *", "", now) == "no run in the next five years");
  CHECK(DescribeNextCronRun("61 * * * *", "", now).rfind("the schedule does not parse: end of range (61)", 0) == 0);
}

}  // namespace
}  // namespace pullguard::audit

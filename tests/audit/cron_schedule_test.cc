// CronJob schedules as the CronJob controller reads them (robfig/cron v3's standard parser):
// the next run, cron's day-of-month / day-of-week rule, names, descriptors, and the errors.
#include <catch2/catch.hpp>

#include "audit/cron_schedule.h"
#include "audit/time_zone.h"
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

// The same in the host's zone `zone` (Debian's tzdata), still as RFC 3339 in UTC.
std::string NextIn(const char* zone, const char* schedule, const char* after) {
  Result<TimeZone> z = TimeZone::Load(zone);
  if (!z.ok()) return "error: " + z.status().message();
  auto parsed = ParseCronSchedule(schedule);
  if (!parsed.ok()) return "error: " + parsed.status().message();
  auto next = NextCronRun(parsed.value(), At(after), &z.value());
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

TEST_CASE("cron: a report's words for the next run, in UTC and in a time zone") {
  auto now = At("2026-12-03T06:20:00Z");
  CHECK(DescribeNextCronRun("0 3 * * *", "", now) == "next run 2026-12-04T03:00:00Z");
  CHECK(DescribeNextCronRun("0 3 * * *", "Etc/UTC", now) == "next run 2026-12-04T03:00:00Z");
  CHECK(DescribeNextCronRun("0 3 * * *", "Europe/Berlin", now) ==
        "next run 2026-12-04T03:00:00+01:00 (Europe/Berlin)");
  CHECK(DescribeNextCronRun("0 0 30 2 *", "", now) == "no run in the next five years");
  CHECK(DescribeNextCronRun("61 * * * *", "", now).rfind("the schedule does not parse: end of range (61)", 0) == 0);
}

// Expected runs checked against robfig/cron v3's SpecSchedule.Next with Go's time package on the
// same tzdata (2025b), and by hand: the EU changes at 01:00 UTC on the last Sundays of March and
// October, the US at 02:00 local on the second Sunday of March and the first of November.
TEST_CASE("cron: the next run on a time zone's wall clock") {
  CHECK(NextIn("Europe/Berlin", "0 3 * * *", "2026-12-03T06:20:00Z") == "2026-12-04T02:00:00Z");
  CHECK(NextIn("America/New_York", "0 3 * * *", "2026-12-03T06:20:00Z") == "2026-12-03T08:00:00Z");
  CHECK(NextIn("Asia/Kolkata", "0 3 * * *", "2026-12-03T06:20:00Z") == "2026-12-03T21:30:00Z");
  CHECK(NextIn("Europe/Berlin", "0 9 * * mon", "2027-03-26T12:00:00Z") == "2027-03-29T07:00:00Z");
  CHECK(NextIn("UTC", "0 3 * * *", "2026-12-03T06:20:00Z") == "2026-12-04T03:00:00Z");
}

TEST_CASE("cron: robfig's daylight-saving behaviour, as the controller has it") {
  // A wall time a spring-forward gap skips does not run that day: robfig steps hours as
  // durations, 01:00 CET then 03:00 CEST (Europe/Berlin, 2027-03-28) ...
  CHECK(NextIn("Europe/Berlin", "30 2 * * *", "2027-03-27T12:00:00Z") == "2027-03-29T00:30:00Z");
  // ... nor that year, when it is the only day (2028-03-28 is a Tuesday, after 2028's change).
  CHECK(NextIn("Europe/Berlin", "30 2 28 3 *", "2027-03-01T00:00:00Z") == "2028-03-28T00:30:00Z");
  CHECK(NextIn("America/New_York", "30 2 * * *", "2027-03-13T17:00:00Z") == "2027-03-15T06:30:00Z");
  // A wall time a fall-back overlap repeats runs twice: 01:00 EDT, then 01:00 EST.
  CHECK(NextIn("America/New_York", "0 1 * * *", "2026-10-31T16:00:00Z") == "2026-11-01T05:00:00Z");
  CHECK(NextIn("America/New_York", "0 1 * * *", "2026-11-01T05:00:00Z") == "2026-11-01T06:00:00Z");
  CHECK(NextIn("America/New_York", "0 1 * * *", "2026-11-01T06:00:00Z") == "2026-11-02T06:00:00Z");
  // Lord Howe Island moves half an hour: 02:00 to 02:30 on 2026-10-04 never happens ...
  const char* lord_howe = "Australia/Lord_Howe";
  CHECK(NextIn(lord_howe, "0 2 * * *", "2026-10-03T12:00:00Z") == "2026-10-04T15:00:00Z");
  // ... so a walk from 02:45 is reset by time.Date to 02:00, which Go reads as 02:30, and steps
  // whole hours from there: 05:00 that day is passed over, 05:00 the next day (+11) is the run.
  CHECK(NextIn(lord_howe, "0 5 * * *", "2026-10-03T15:45:00Z") == "2026-10-04T18:00:00Z");
  // 01:30 on 2027-04-04 happens at +11, then at +10:30: twice.
  CHECK(NextIn(lord_howe, "30 1 * * *", "2027-04-03T12:00:00Z") == "2027-04-03T14:30:00Z");
  CHECK(NextIn(lord_howe, "30 1 * * *", "2027-04-03T14:30:00Z") == "2027-04-03T15:00:00Z");
  CHECK(NextIn(lord_howe, "30 1 * * *", "2027-04-03T15:00:00Z") == "2027-04-04T15:00:00Z");
  // Cuba skips its midnight (00:00 CST to 01:00 CDT on 2026-03-08): robfig's `t.Hour() != 0` fix
  // lands that day at 01:00, so @daily passes it over, and "0 0 8 3 *" waits a year.
  CHECK(NextIn("America/Havana", "0 0 * * *", "2026-03-07T12:00:00Z") == "2026-03-09T04:00:00Z");
  CHECK(NextIn("America/Havana", "0 12 8 3 *", "2026-03-01T00:00:00Z") == "2026-03-08T16:00:00Z");
  CHECK(NextIn("America/Havana", "0 0 8 3 *", "2026-03-01T00:00:00Z") == "2027-03-08T05:00:00Z");
}

TEST_CASE("cron: spec.timeZone and a TZ= prefix as the controller reads them, and bad zones") {
  auto now = At("2026-12-03T06:20:00Z");
  CHECK(DescribeNextCronRun("0 3 * * *", "Asia/Kolkata", now) ==
        "next run 2026-12-04T03:00:00+05:30 (Asia/Kolkata)");
  CHECK(DescribeNextCronRun("0 3 * * *", "America/New_York", now) ==
        "next run 2026-12-03T03:00:00-05:00 (America/New_York)");
  // The controller's event when spec.timeZone does not load; it reads no schedule then.
  CHECK(DescribeNextCronRun("0 3 * * *", "Mars/Olympus", now) ==
        "no run (UnknownTimeZone): invalid timeZone: \"Mars/Olympus\": "
        "unknown time zone Mars/Olympus");
  CHECK(DescribeNextCronRun("61 * * * *", "../etc/passwd", now) ==
        "no run (UnknownTimeZone): invalid timeZone: \"../etc/passwd\": "
        "time: invalid location name");
  // A leading TZ= or CRON_TZ= is robfig's zone for the schedule, over spec.timeZone.
  CHECK(DescribeNextCronRun("CRON_TZ=Europe/Berlin 0 3 * * *", "", now) ==
        "next run 2026-12-04T03:00:00+01:00 (Europe/Berlin)");
  CHECK(DescribeNextCronRun("TZ=Asia/Kolkata 0 3 * * *", "Europe/Berlin", now) ==
        "next run 2026-12-04T03:00:00+05:30 (Asia/Kolkata)");
  CHECK(DescribeNextCronRun("TZ=UTC @daily", "", now) == "next run 2026-12-04T00:00:00Z");
  CHECK(DescribeNextCronRun("TZ=Mars/Olympus 0 3 * * *", "", now) ==
        "the schedule does not parse: provided bad location Mars/Olympus: "
        "unknown time zone Mars/Olympus");
  CHECK(DescribeNextCronRun("TZ=Europe/Berlin", "", now) ==
        "the schedule does not parse: a time zone, and no schedule");
  CHECK_THAT(DescribeNextCronRun("TZ=UTC TZ=UTC 0 3 * * *", "", now),
             Catch::StartsWith("the schedule does not parse: a time zone in the schedule"));
}

// regression: an @every CronJob's next run was counted from now, so it moved with the clock (a
// CronJob pass waiting for it was put off for ever). The controller counts from the CronJob's
// last scheduled run (or its creation) in whole periods.
TEST_CASE("cron: an @every schedule's runs count from the last scheduled run, as the controller counts them") {
  auto next_job = [](const char* schedule, const char* since, const char* after) {
    Result<CronJobSchedule> read = ReadCronJobSchedule(schedule, "");
    REQUIRE(read.ok());
    if (since != nullptr) read.value().since = At(since);
    auto next = NextJobRun(read.value(), At(after));
    return next ? FormatRfc3339(*next) : std::string("never");
  };
  // since 10:00:00.5 (robfig drops the fraction), every 5 minutes: 10:05, 10:10, ...
  CHECK(next_job("@every 5m", "2026-12-03T10:00:00.5Z", "2026-12-03T09:00:00Z") == "2026-12-03T10:05:00Z");
  CHECK(next_job("@every 5m", "2026-12-03T10:00:00.5Z", "2026-12-03T10:03:10Z") == "2026-12-03T10:05:00Z");
  CHECK(next_job("@every 5m", "2026-12-03T10:00:00.5Z", "2026-12-03T10:05:00Z") == "2026-12-03T10:10:00Z");
  CHECK(next_job("@every 5m", "2026-12-03T10:00:00.5Z", "2026-12-03T12:07:59Z") == "2026-12-03T12:10:00Z");
  // Unknown since: from `after`, as robfig's ConstantDelaySchedule.
  CHECK(next_job("@every 5m", nullptr, "2026-12-03T10:03:10Z") == "2026-12-03T10:08:10Z");
  // A time-of-day schedule does not depend on it.
  CHECK(next_job("*/5 * * * *", "2026-12-03T10:01:00Z", "2026-12-03T10:03:10Z") == "2026-12-03T10:05:00Z");
  // And the report says the counted time.
  CHECK(DescribeNextCronRun("@every 5m", "", At("2026-12-03T10:03:10Z"), At("2026-12-03T10:00:00Z")) ==
        "next run 2026-12-03T10:05:00Z");
}

}  // namespace
}  // namespace pullguard::audit

// An IANA time zone as Go's time package reads it, which is how the CronJob controller reads
// spec.timeZone (time.LoadLocation, zoneinfo.go and zoneinfo_read.go): a TZif file (RFC 8536,
// versions 1 to 4) found in $ZONEINFO or the system's zoneinfo directories; its 64-bit data
// when there are two; and its footer, a POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"), for the
// instants after the last transition. Go's answers are kept where they are odd (which offset a
// wall time in a DST gap gets, its footer arithmetic), since the controller's runs follow them.
// Only offsets are kept: abbreviations and leap seconds are read past, as Go reads past them.
// A file is read whole up to 256 KiB, and every count is checked against what is left of it.
// Thread-safety: a value type; Load reads files and the ZONEINFO environment variable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pullguard::audit {

struct TimeZone {
  // A local time type: seconds east of UTC (CET: 3600), and whether it is daylight time.
  struct Type {
    int32_t offset = 0;
    bool is_dst = false;
  };
  // From `at` (Unix seconds) on, types[type] applies.
  struct Transition {
    int64_t at = 0;
    uint8_t type = 0;
  };
  // A footer's rule: the standard offset; with daylight time, its offset and the two moments
  // of each year it starts and ends. Offsets are seconds east of UTC (the text's, negated).
  struct Rule {
    // Jn: day n of 1..365, never February 29; n: day n of 0..365, counting it; Mm.w.d: day d
    // (0 Sunday) of week w (5: the last) of month m. At `time` seconds of local time that day:
    // 02:00 unless written; version 3 allows -168 to 168 hours.
    struct Day {
      char kind = 'M';  // 'J', 'n' or 'M'
      int day = 0, week = 0, month = 0;
      int32_t time = 7200;
    };
    int32_t std_offset = 0;
    bool has_dst = false;
    int32_t dst_offset = 0;
    Day start, end;
  };

  std::string name;                      // as loaded: "Europe/Berlin"; "UTC"
  std::vector<Type> types;               // empty for UTC only
  // In the file's order, each to a type that exists; one at INT64_MIN when the file has none.
  std::vector<Transition> transitions;
  std::optional<Rule> footer;            // none: no footer, or one Go would not read

  // The zone "" and "UTC" name: no types, offset 0 at all times.
  static TimeZone Utc();

  // time.LoadLocation(name): "" and "UTC" are Utc(); "Local" too (the controller's own zone,
  // UTC in its image: no TZ, no /etc/localtime); a name with "..", or starting with '/' or '\',
  // is refused; otherwise the file `name` in $ZONEINFO (a directory; a .zip is not read), then in
  // /usr/share/zoneinfo, /usr/share/lib/zoneinfo, /usr/lib/locale/TZ and /etc/zoneinfo. Errors:
  //  - InvalidArgument: a name Go refuses, in Go's words ("time: invalid location name");
  //  - NotFound: no directory has it: "unknown time zone Mars/Olympus" (Go's words);
  //  - Unavailable: none of those directories exists ("no time zone database here"), or the
  //    first file found cannot be read or is not TZif (which, and why).
  static Result<TimeZone> Load(std::string_view name);
  // Load, looking in `directories` instead of $ZONEINFO and the system's.
  static Result<TimeZone> LoadFrom(std::string_view name,
                                   const std::vector<std::string>& directories);
  // The TZif bytes of the zone `name`: InvalidArgument "time zone NAME: not a TZif file" or
  // "time zone NAME: malformed time zone information: WHAT" when Go would not read them.
  static Result<TimeZone> Parse(std::string_view name, std::string_view tzif);

  // Seconds east of UTC at `unix_seconds` (Go's Location.lookup).
  int OffsetAt(int64_t unix_seconds) const;

  // The Unix second of a wall-clock date and time in this zone, as time.Date(year, month, day,
  // hour, minute, second, 0, zone).Unix(): out-of-range fields carry over (October 32 is
  // November 1; hour 24 is the next day). A wall time that happens twice, or never, gets the
  // offset Go's two lookups give it: the one in effect at that wall time read as UTC, unless
  // that puts the instant outside its span, then the one at the instant that gives. So a time
  // skipped by a spring-forward gap is read in the offset before the gap (Europe/Berlin 02:30
  // on 2027-03-28 is 01:30Z, 03:30 CEST) east of UTC, in the offset after it west of UTC
  // (America/New_York 02:30 on 2027-03-14 is 06:30Z, 01:30 EST); a repeated one is the later
  // (standard) one east of UTC, the earlier (daylight) one west of it.
  int64_t Date(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t minute,
               int64_t second) const;

  // The wall clock at an instant (Go's t.In(zone).Date(), .Clock(), .Weekday()).
  struct Civil {
    int64_t year = 1970;
    int month = 1, day = 1, hour = 0, minute = 0, second = 0;
    int weekday = 4;  // 0 Sunday
  };
  Civil CivilAt(int64_t unix_seconds) const;
};

}  // namespace pullguard::audit

// Time zones as Go's time package reads them (audit/time_zone.h): TZif files built here, so the
// parse cases do not depend on the host's tzdata (version 1, the 64-bit data of version 2 and
// up, footers alone and their rule forms, files cut short or lying about their counts), then
// Go's loader (the names it refuses, ZONEINFO, no database) and a few zones of the host's
// /usr/share/zoneinfo around their DST changes. Every expected value was checked against Go's
// time package (LoadLocationFromTZData, LoadLocation, Date).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "audit/time_zone.h"
#include "common/rfc3339.h"

namespace pullguard::audit {
namespace {

int64_t TzAt(const char* rfc3339) {
  const auto since_epoch = ParseRfc3339(rfc3339).value().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
}

std::string TzUtc(int64_t unix_seconds) {
  return FormatRfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds)));
}

std::string TzBe32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
  return out;
}
std::string TzBe64(uint64_t v) {
  return TzBe32(static_cast<uint32_t>(v >> 32)) + TzBe32(static_cast<uint32_t>(v));
}

struct ZoneSpec {
  std::vector<std::pair<int64_t, uint8_t>> transitions;  // (Unix second, type)
  std::vector<std::pair<int32_t, bool>> types;           // (offset, daylight time)
};

// A data block: the six counts, the transitions (4 or 8 bytes each) and their types, the types
// (each with abbreviation 0), one abbreviation "ZZZ"; no leap seconds, no indicators.
std::string TzifBlock(const ZoneSpec& z, bool is64) {
  std::string out = TzBe32(0) + TzBe32(0) + TzBe32(0);  // indicators, leap seconds
  out += TzBe32(static_cast<uint32_t>(z.transitions.size()));
  out += TzBe32(static_cast<uint32_t>(z.types.size()));
  out += TzBe32(4);
  for (const auto& [at, type] : z.transitions) {
    out += is64 ? TzBe64(static_cast<uint64_t>(at)) : TzBe32(static_cast<uint32_t>(at));
  }
  for (const auto& [at, type] : z.transitions) out += static_cast<char>(type);
  for (const auto& [offset, dst] : z.types) {
    out += TzBe32(static_cast<uint32_t>(offset));
    out += static_cast<char>(dst ? 1 : 0);
    out += '\0';
  }
  return out + std::string("ZZZ\0", 4);
}

std::string TzifHeader(char version) {
  return "TZif" + std::string(1, version) + std::string(15, '\0');
}

// Version 1: the 32-bit block alone. Version 2 and up, as zic writes them: the 32-bit block,
// a second header, the 64-bit block, and the footer between newlines.
std::string Tzif(const ZoneSpec& z, const std::string& footer = "", char version = '2') {
  if (version == '\0') return TzifHeader('\0') + TzifBlock(z, false);
  return TzifHeader(version) + TzifBlock(z, false) + TzifHeader(version) + TzifBlock(z, true) +
         "\n" + footer + "\n";
}

TimeZone TzParse(const std::string& tzif) {
  Result<TimeZone> zone = TimeZone::Parse("Test/Zone", tzif);
  INFO(zone.status().message());
  REQUIRE(zone.ok());
  return zone.value();
}

std::string TzError(const std::string& tzif) {
  Result<TimeZone> zone = TimeZone::Parse("Test/Zone", tzif);
  return zone.ok() ? "parsed" : zone.status().message();
}

TEST_CASE("time zone: a version 1 file, its 32-bit transitions, and the type before the first") {
  // Types 0 and 2 standard, 1 daylight; the first transition, before 1970, is to type 2.
  TimeZone z = TzParse(Tzif({{{-1000000000, 2}, {1000000000, 1}, {1010000000, 0}},
                             {{3600, false}, {7200, true}, {10800, false}}},
                            "", '\0'));
  CHECK(z.transitions.size() == 3);
  CHECK_FALSE(z.footer.has_value());
  // Before the first transition: Go's lookupFirstZone, type 0 being used, its first standard type.
  CHECK(z.OffsetAt(-1000000001) == 3600);
  CHECK(z.OffsetAt(-1000000000) == 10800);  // a negative 32-bit time, read as one
  CHECK(z.OffsetAt(0) == 10800);
  CHECK(z.OffsetAt(999999999) == 10800);
  CHECK(z.OffsetAt(1000000000) == 7200);
  CHECK(z.OffsetAt(1009999999) == 7200);
  CHECK(z.OffsetAt(1010000000) == 3600);
  CHECK(z.OffsetAt(2000000000) == 3600);  // no footer: the last type for ever
}

TEST_CASE("time zone: versions 2 to 4, their 64-bit data, then the footer past the last change") {
  const ZoneSpec cet = {{{1000000000, 0}}, {{3600, false}, {7200, true}}};
  for (char version : {'2', '3', '4'}) {
    INFO("version " << version);
    TimeZone z = TzParse(Tzif(cet, "CET-1CEST,M3.5.0,M10.5.0/3", version));
    REQUIRE(z.footer.has_value());
    CHECK(z.OffsetAt(999999999) == 3600);
    // The EU's changes, at 01:00 UTC on the last Sundays of March and October.
    CHECK(z.OffsetAt(TzAt("2027-03-28T00:59:59Z")) == 3600);
    CHECK(z.OffsetAt(TzAt("2027-03-28T01:00:00Z")) == 7200);
    CHECK(z.OffsetAt(TzAt("2027-10-31T00:59:59Z")) == 7200);
    CHECK(z.OffsetAt(TzAt("2027-10-31T01:00:00Z")) == 3600);
  }
  // A transition in 2100: only the 64-bit block can hold it.
  TimeZone far = TzParse(Tzif({{{1000000000, 0}, {4102444800, 1}}, {{3600, false}, {7200, true}}}));
  CHECK(far.OffsetAt(4102444799) == 3600);
  CHECK(far.OffsetAt(4102444800) == 7200);
}

TEST_CASE("time zone: a zone told by its footer alone, and the footer's forms") {
  // No transitions: Go's one at the beginning of time, then the footer, for all time.
  TimeZone fixed = TzParse(Tzif({{}, {{0, false}}}, "<+0330>-3:30"));
  CHECK(fixed.OffsetAt(-5000000000) == 12600);
  CHECK(fixed.OffsetAt(TzAt("2026-12-03T00:00:00Z")) == 12600);

  // Mm.w.d, and the same rule by default when only the names are written.
  for (const char* footer : {"EST5EDT,M3.2.0,M11.1.0", "EST5EDT"}) {
    INFO(footer);
    TimeZone z = TzParse(Tzif({{}, {{-18000, false}}}, footer));
    CHECK(z.OffsetAt(TzAt("2026-01-15T00:00:00Z")) == -18000);
    CHECK(z.OffsetAt(TzAt("2026-07-01T00:00:00Z")) == -14400);
    CHECK(z.OffsetAt(TzAt("2026-03-08T06:59:59Z")) == -18000);  // second Sunday of March, 02:00
    CHECK(z.OffsetAt(TzAt("2026-03-08T07:00:00Z")) == -14400);
    CHECK(z.OffsetAt(TzAt("2026-11-01T05:59:59Z")) == -14400);  // first Sunday of November, 02:00
    CHECK(z.OffsetAt(TzAt("2026-11-01T06:00:00Z")) == -18000);
  }

  // Jn never counts February 29: J60 is March 1, leap year or not; J300 is October 27.
  TimeZone julian = TzParse(Tzif({{}, {{0, false}}}, "AAA0BBB,J60,J300"));
  CHECK(julian.OffsetAt(TzAt("2027-03-01T01:59:59Z")) == 0);
  CHECK(julian.OffsetAt(TzAt("2027-03-01T02:00:00Z")) == 3600);
  CHECK(julian.OffsetAt(TzAt("2028-03-01T01:59:59Z")) == 0);
  CHECK(julian.OffsetAt(TzAt("2028-03-01T02:00:00Z")) == 3600);
  CHECK(julian.OffsetAt(TzAt("2028-10-27T00:59:59Z")) == 3600);  // 02:00 daylight time
  CHECK(julian.OffsetAt(TzAt("2028-10-27T01:00:00Z")) == 0);

  // n counts from 0 and counts February 29 (day 59 of 2028); version 3's times below zero and
  // past 24 hours: 23:00 the day before, 01:00 the day after.
  TimeZone zero_based = TzParse(Tzif({{}, {{0, false}}}, "AAA0BBB,59/-1,299/25", '3'));
  CHECK(zero_based.OffsetAt(TzAt("2028-02-28T22:59:59Z")) == 0);
  CHECK(zero_based.OffsetAt(TzAt("2028-02-28T23:00:00Z")) == 3600);
  CHECK(zero_based.OffsetAt(TzAt("2028-10-26T23:59:59Z")) == 3600);
  CHECK(zero_based.OffsetAt(TzAt("2028-10-27T00:00:00Z")) == 0);

  // The southern hemisphere, half an hour of daylight time (Lord Howe Island's rule).
  TimeZone south = TzParse(Tzif({{}, {{37800, false}}}, "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"));
  CHECK(south.OffsetAt(TzAt("2026-10-03T15:29:59Z")) == 37800);
  CHECK(south.OffsetAt(TzAt("2026-10-03T15:30:00Z")) == 39600);
  CHECK(south.OffsetAt(TzAt("2027-01-01T00:00:00Z")) == 39600);
  CHECK(south.OffsetAt(TzAt("2027-04-03T14:59:59Z")) == 39600);
  CHECK(south.OffsetAt(TzAt("2027-04-03T15:00:00Z")) == 37800);

  // A footer Go would not read (a name of two letters), or one without its closing newline:
  // the last type stays.
  TimeZone unread = TzParse(Tzif({{}, {{7200, false}}}, "AB-1"));
  CHECK_FALSE(unread.footer.has_value());
  CHECK(unread.OffsetAt(TzAt("2026-07-01T00:00:00Z")) == 7200);
  std::string open_footer = Tzif({{}, {{7200, false}}}, "EST5EDT");
  open_footer.pop_back();
  CHECK(TzParse(open_footer).OffsetAt(TzAt("2026-07-01T00:00:00Z")) == 7200);
}

TEST_CASE("time zone: what Go would not read is refused in words, never crashed on") {
  CHECK(TzError("") == "time zone Test/Zone: not a TZif file");
  CHECK(TzError("TZi") == "time zone Test/Zone: not a TZif file");
  CHECK(TzError("<html>") == "time zone Test/Zone: not a TZif file");
  const std::string malformed = "time zone Test/Zone: malformed time zone information: ";
  CHECK(TzError("TZif") == malformed + "a header cut short");
  CHECK(TzError("TZif2" + std::string(10, '\0')) == malformed + "a header cut short");
  CHECK(TzError(TzifHeader('5') + std::string(24, '\0')) == malformed + "an unknown version");
  // Counts larger than the file, in a version 1 header, and in either header of version 2.
  const std::string huge =
      TzBe32(0) + TzBe32(0) + TzBe32(0) + TzBe32(0xFFFFFFFF) + TzBe32(1) + TzBe32(4);
  CHECK(TzError(TzifHeader('\0') + huge) == malformed + "counts larger than the file");
  const std::string empty_block = std::string(24, '\0');  // six counts of zero
  CHECK(TzError(TzifHeader('2') + huge + std::string(100, '\0')) ==
        malformed + "counts larger than the file");
  CHECK(TzError(TzifHeader('2') + empty_block + TzifHeader('2') + huge + std::string(100, '\0')) ==
        malformed + "counts larger than the file");
  CHECK(TzError(TzifHeader('2') + empty_block + TzifHeader('2') + empty_block + "\n\n") ==
        malformed + "no local time types");
  CHECK(TzError(Tzif({{{0, 3}}, {{0, false}}})) ==
        malformed + "a transition to a type out of range");
  // One type whose abbreviation index (4) is past the one character there is.
  const std::string one_type =
      TzBe32(0) + TzBe32(0) + TzBe32(0) + TzBe32(0) + TzBe32(1) + TzBe32(1);
  CHECK(TzError(TzifHeader('\0') + one_type + TzBe32(0) + std::string("\0\4Z", 3)) ==
        malformed + "an abbreviation out of range");
  CHECK(TzError(std::string(300 << 10, 'x')) == malformed + "larger than 256 KiB");

  // Cut anywhere: refused while the 64-bit data is not whole; read, without its footer, after.
  const std::string footer = "CET-1CEST,M3.5.0,M10.5.0/3";
  const std::string whole = Tzif({{{1000000000, 0}}, {{3600, false}, {7200, true}}}, footer);
  const size_t data_end = whole.size() - footer.size() - 2;
  for (size_t n = 0; n <= whole.size(); ++n) {
    INFO("the first " << n << " bytes");
    Result<TimeZone> cut = TimeZone::Parse("Test/Zone", whole.substr(0, n));
    CHECK(cut.ok() == (n >= data_end));
    if (cut.ok()) CHECK(cut->footer.has_value() == (n == whole.size()));
  }

  // Bytes changed at random: whatever parses answers at any instant and any wall time.
  std::mt19937 rng(21);
  const int64_t extremes[] = {std::numeric_limits<int64_t>::min(), -(int64_t{1} << 60), -1, 0,
                              TzAt("2026-12-03T00:00:00Z"), std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 3000; ++i) {
    std::string mutated = whole;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
      mutated[rng() % mutated.size()] = static_cast<char>(rng());
    }
    Result<TimeZone> z = TimeZone::Parse("Test/Zone", mutated);
    if (!z.ok()) continue;
    for (int64_t t : extremes) {
      (void)z->OffsetAt(t);
      (void)z->CivilAt(t);
      (void)z->Date(t, t, t, t, t, t);
    }
  }
}

// A directory of zone files, removed at the end of the test.
struct ZoneinfoDir {
  std::filesystem::path path;
  ZoneinfoDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pullguard-zoneinfo-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~ZoneinfoDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  void Write(const std::string& name, const std::string& bytes) const {
    std::filesystem::create_directories((path / name).parent_path());
    std::ofstream(path / name, std::ios::binary) << bytes;
  }
};

TEST_CASE("time zone: Go's loader, its names, its directories in order, and no database") {
  for (const char* utc : {"", "UTC", "Local"}) {
    INFO("[" << utc << "]");
    Result<TimeZone> z = TimeZone::LoadFrom(utc, {"/nonexistent"});
    REQUIRE(z.ok());
    CHECK(z->OffsetAt(TzAt("2026-07-01T00:00:00Z")) == 0);
  }
  CHECK(TimeZone::LoadFrom("", {}).value().name == "UTC");
  for (const char* refused :
       {"../etc/passwd", "Europe/../../etc/passwd", "/etc/localtime", "\\zone"}) {
    INFO(refused);
    Result<TimeZone> z = TimeZone::LoadFrom(refused, {"/usr/share/zoneinfo"});
    CHECK(z.status().code() == StatusCode::kInvalidArgument);
    CHECK(z.status().message() == "time: invalid location name");
  }
  const std::string_view with_nul("Test/Zone\0x", 11);
  CHECK(TimeZone::LoadFrom(with_nul, {"/tmp"}).status().message() == "invalid argument");

  ZoneinfoDir first, second;
  const std::string plus_two = Tzif({{}, {{7200, false}}});
  second.Write("Test/Zone", plus_two);
  second.Write("Test/Bad", "<html>not a zone</html>");
  second.Write("Test/Huge", std::string(300 << 10, '\0'));
  first.Write("Test/Other", Tzif({{}, {{3600, false}}}));

  const std::vector<std::string> both = {first.path.string(), second.path.string()};
  Result<TimeZone> found = TimeZone::LoadFrom("Test/Zone", both);
  REQUIRE(found.ok());
  CHECK(found->name == "Test/Zone");
  CHECK(found->OffsetAt(0) == 7200);

  Result<TimeZone> missing = TimeZone::LoadFrom("Test/Missing", both);
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message() == "unknown time zone Test/Missing");

  Result<TimeZone> bad = TimeZone::LoadFrom("Test/Bad", {second.path.string()});
  CHECK(bad.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(bad.status().message(), Catch::StartsWith("time zone Test/Bad: not a TZif file ("));
  // A file that does not parse is the error only when no later directory has a good one.
  first.Write("Test/Zone", "garbage");
  CHECK(TimeZone::LoadFrom("Test/Zone", both).ok());

  CHECK_THAT(TimeZone::LoadFrom("Test", {second.path.string()}).status().message(),
             Catch::EndsWith("/Test: is a directory"));
  CHECK_THAT(TimeZone::LoadFrom("Test/Huge", {second.path.string()}).status().message(),
             Catch::EndsWith("/Test/Huge: larger than 256 KiB"));

  // No directory at all: said so, not "unknown".
  Result<TimeZone> nothing = TimeZone::LoadFrom("Europe/Berlin", {"/nonexistent/a", "/none/b"});
  CHECK(nothing.status().code() == StatusCode::kUnavailable);
  CHECK(nothing.status().message() == "no time zone database here to find Europe/Berlin in "
                                      "(none of /nonexistent/a, /none/b is a directory)");

  // $ZONEINFO comes first.
  REQUIRE(::setenv("ZONEINFO", second.path.c_str(), 1) == 0);
  Result<TimeZone> from_env = TimeZone::Load("Test/Zone");
  ::unsetenv("ZONEINFO");
  REQUIRE(from_env.ok());
  CHECK(from_env->OffsetAt(0) == 7200);
}

TEST_CASE("time zone: time.Date's normalization, and its choice in a gap and an overlap") {
  const TimeZone utc = TimeZone::Utc();
  CHECK(TzUtc(utc.Date(2026, 13, 32, 25, 61, 0)) == "2027-02-02T02:01:00Z");  // month 13, day 32...
  CHECK(TzUtc(utc.Date(2027, 0, 0, -1, 0, 0)) == "2026-11-29T23:00:00Z");     // month 0, day 0...
  CHECK(TzUtc(utc.Date(2028, 2, 30, 0, 0, 0)) == "2028-03-01T00:00:00Z");

  // A zone told by its footer: 02:30 on 2026-03-08 never happens in New York's rule, 01:30 on
  // 2026-11-01 happens twice. West of UTC, Go reads a skipped time in the offset after the change
  // (02:30 EDT, shown 01:30 EST) and a repeated one in the one before (EDT).
  TimeZone ny = TzParse(Tzif({{}, {{-18000, false}}}, "EST5EDT,M3.2.0,M11.1.0"));
  CHECK(TzUtc(ny.Date(2026, 3, 8, 2, 30, 0)) == "2026-03-08T06:30:00Z");
  CHECK(TzUtc(ny.Date(2026, 11, 1, 1, 30, 0)) == "2026-11-01T05:30:00Z");
  CHECK(TzUtc(ny.Date(2026, 11, 1, 2, 30, 0)) == "2026-11-01T07:30:00Z");
  TimeZone::Civil c = ny.CivilAt(TzAt("2026-11-01T06:30:00Z"));
  CHECK(c.year == 2026);
  CHECK(c.month == 11);
  CHECK(c.day == 1);
  CHECK(c.hour == 1);
  CHECK(c.minute == 30);
  CHECK(c.weekday == 0);  // a Sunday
}

// The host's zones: Debian's tzdata (install-deps.sh installs it; the image copies it).
TEST_CASE("time zone: the host's Berlin, New York, Kolkata and Lord Howe Island") {
  Result<TimeZone> berlin = TimeZone::Load("Europe/Berlin");
  INFO(berlin.status().message());
  REQUIRE(berlin.ok());
  CHECK(berlin->OffsetAt(TzAt("2026-10-25T00:59:59Z")) == 7200);
  CHECK(berlin->OffsetAt(TzAt("2026-10-25T01:00:00Z")) == 3600);
  CHECK(berlin->OffsetAt(TzAt("2027-03-28T00:59:59Z")) == 3600);
  CHECK(berlin->OffsetAt(TzAt("2027-03-28T01:00:00Z")) == 7200);
  CHECK(berlin->OffsetAt(TzAt("2040-07-01T00:00:00Z")) == 7200);  // past a fat file's 2037: footer
  CHECK(berlin->OffsetAt(TzAt("2040-12-01T00:00:00Z")) == 3600);
  // East of UTC, Go reads a skipped wall time in the offset before the change, a repeated one in
  // the one after: 02:30 on 2027-03-28 is 03:30 CEST, 02:30 on 2026-10-25 is 02:30 CET.
  CHECK(TzUtc(berlin->Date(2027, 3, 28, 2, 30, 0)) == "2027-03-28T01:30:00Z");
  CHECK(TzUtc(berlin->Date(2026, 10, 25, 2, 30, 0)) == "2026-10-25T01:30:00Z");
  CHECK(berlin->CivilAt(TzAt("2027-03-28T01:00:00Z")).hour == 3);

  Result<TimeZone> new_york = TimeZone::Load("America/New_York");
  REQUIRE(new_york.ok());
  CHECK(new_york->OffsetAt(TzAt("2026-11-01T05:59:59Z")) == -14400);
  CHECK(new_york->OffsetAt(TzAt("2026-11-01T06:00:00Z")) == -18000);
  CHECK(new_york->OffsetAt(TzAt("2027-03-14T06:59:59Z")) == -18000);
  CHECK(new_york->OffsetAt(TzAt("2027-03-14T07:00:00Z")) == -14400);
  CHECK(TzUtc(new_york->Date(2027, 3, 14, 2, 30, 0)) == "2027-03-14T06:30:00Z");
  CHECK(TzUtc(new_york->Date(2026, 11, 1, 1, 30, 0)) == "2026-11-01T05:30:00Z");

  Result<TimeZone> kolkata = TimeZone::Load("Asia/Kolkata");
  REQUIRE(kolkata.ok());
  CHECK(kolkata->OffsetAt(TzAt("2026-12-03T00:00:00Z")) == 19800);
  CHECK(kolkata->OffsetAt(TzAt("2050-06-01T00:00:00Z")) == 19800);

  // Half an hour of daylight time, from 02:00 standard on the first Sunday of October to 02:00
  // daylight on the first Sunday of April.
  Result<TimeZone> lord_howe = TimeZone::Load("Australia/Lord_Howe");
  REQUIRE(lord_howe.ok());
  CHECK(lord_howe->OffsetAt(TzAt("2026-10-03T15:29:59Z")) == 37800);
  CHECK(lord_howe->OffsetAt(TzAt("2026-10-03T15:30:00Z")) == 39600);
  CHECK(lord_howe->OffsetAt(TzAt("2027-04-03T14:59:59Z")) == 39600);
  CHECK(lord_howe->OffsetAt(TzAt("2027-04-03T15:00:00Z")) == 37800);
  CHECK(TzUtc(lord_howe->Date(2026, 10, 4, 2, 0, 0)) == "2026-10-03T15:30:00Z");   // skipped: 02:30
  CHECK(TzUtc(lord_howe->Date(2027, 4, 4, 1, 45, 0)) == "2027-04-03T15:15:00Z");  // the later

  CHECK(TimeZone::Load("Mars/Olympus").status().message() == "unknown time zone Mars/Olympus");
  CHECK_THAT(TimeZone::Load("Europe").status().message(),
             Catch::EndsWith("/Europe: is a directory"));
}

}  // namespace
}  // namespace pullguard::audit

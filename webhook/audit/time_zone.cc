#include "audit/time_zone.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <system_error>
#include <utility>

namespace pullguard::audit {
namespace {

constexpr size_t kMaxFileBytes = 256 << 10;  // the largest zone in tzdata 2025b is under 4 KiB
constexpr int64_t kAlpha = std::numeric_limits<int64_t>::min();  // Go's alpha and omega: all time
constexpr int64_t kOmega = std::numeric_limits<int64_t>::max();
constexpr int64_t kSecondsPerDay = 86400;
// Instants and wall clocks are clamped to +-2^60 s (36 billion years), fields to +-10^9: no sum
// below can overflow, whatever a file or a caller gives.
constexpr int64_t kFar = int64_t{1} << 60;
constexpr int64_t kFarField = 1000000000;

// Go's platformZoneSources on Linux.
const char* const kSystemDirectories[] = {"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo",
                                          "/usr/lib/locale/TZ", "/etc/zoneinfo"};

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);
}

// Days since 1970-01-01 of a proleptic Gregorian date, `day` of any size (H. Hinnant's
// days_from_civil). REQUIRES: 1 <= month <= 12.
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = FloorDiv(year, 400);
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The inverse (civil_from_days).
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  days += 719468;
  const int64_t era = FloorDiv(days, 146097);
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

// Go's isLeap and daysIn (C++'s % truncates as Go's does).
bool IsLeap(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysIn(int month, int64_t year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

int DaysBefore(int month) {
  static constexpr int kBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  return kBefore[month - 1];
}

// --- The footer: Go's tzsetName, tzsetNum, tzsetOffset, tzsetRule and tzset, one for one. Each
// reader takes what it reads off the front of `s`.

bool ReadName(std::string_view& s) {
  if (s.empty()) return false;
  if (s[0] == '<') {  // "<+0330>": anything up to '>'
    const size_t close = s.find('>');
    if (close == std::string_view::npos) return false;
    s.remove_prefix(close + 1);
    return true;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if ((c >= '0' && c <= '9') || c == ',' || c == '-' || c == '+') {
      if (i < 3) return false;
      s.remove_prefix(i);
      return true;
    }
  }
  if (s.size() < 3) return false;
  s = {};
  return true;
}

bool ReadNumber(std::string_view& s, int min, int max, int* out) {
  int num = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    num = num * 10 + (s[i] - '0');
    if (num > max) return false;  // checked at each digit: no overflow
  }
  if (i == 0 || num < min) return false;
  s.remove_prefix(i);
  *out = num;
  return true;
}

// [+|-]hh[:mm[:ss]], hours up to 167 (tzcode's limit, not POSIX's 24).
bool ReadOffset(std::string_view& s, int32_t* out) {
  if (s.empty()) return false;
  const bool negative = s[0] == '-';
  if (s[0] == '+' || s[0] == '-') s.remove_prefix(1);
  int hours = 0, minutes = 0, seconds = 0;
  if (!ReadNumber(s, 0, 24 * 7, &hours)) return false;
  if (!s.empty() && s[0] == ':') {
    s.remove_prefix(1);
    if (!ReadNumber(s, 0, 59, &minutes)) return false;
    if (!s.empty() && s[0] == ':') {
      s.remove_prefix(1);
      if (!ReadNumber(s, 0, 59, &seconds)) return false;
    }
  }
  const int32_t offset = hours * 3600 + minutes * 60 + seconds;
  *out = negative ? -offset : offset;
  return true;
}

bool ReadDay(std::string_view& s, TimeZone::Rule::Day* r) {
  if (s.empty()) return false;
  if (s[0] == 'J') {
    s.remove_prefix(1);
    r->kind = 'J';
    if (!ReadNumber(s, 1, 365, &r->day)) return false;
  } else if (s[0] == 'M') {
    s.remove_prefix(1);
    r->kind = 'M';
    if (!ReadNumber(s, 1, 12, &r->month) || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!ReadNumber(s, 1, 5, &r->week) || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!ReadNumber(s, 0, 6, &r->day)) return false;
  } else {
    r->kind = 'n';
    if (!ReadNumber(s, 0, 365, &r->day)) return false;
  }
  r->time = 2 * 3600;
  if (s.empty() || s[0] != '/') return true;
  s.remove_prefix(1);
  return ReadOffset(s, &r->time);  // version 3: negative, or past 24 hours
}

std::optional<TimeZone::Rule> ReadRule(std::string_view s) {
  TimeZone::Rule rule;
  int32_t offset = 0;
  if (!ReadName(s) || !ReadOffset(s, &offset)) return std::nullopt;
  rule.std_offset = -offset;  // the text's offsets are west of UTC
  if (s.empty() || s[0] == ',') return rule;  // no daylight time (anything after a ',' unread)
  if (!ReadName(s)) return std::nullopt;
  if (s.empty() || s[0] == ',') {
    rule.dst_offset = rule.std_offset + 3600;
  } else {
    if (!ReadOffset(s, &offset)) return std::nullopt;
    rule.dst_offset = -offset;
  }
  std::string_view days = s.empty() ? std::string_view(",M3.2.0,M11.1.0") : s;  // tzcode's default
  if (days[0] != ',' && days[0] != ';') return std::nullopt;
  days.remove_prefix(1);
  if (!ReadDay(days, &rule.start) || days.empty() || days[0] != ',') return std::nullopt;
  days.remove_prefix(1);
  if (!ReadDay(days, &rule.end) || !days.empty()) return std::nullopt;
  rule.has_dst = true;
  return rule;
}

// Go's tzruleTime: seconds from the start of `year` (UTC) to the rule's moment, given the
// offset in effect before it.
int64_t RuleTime(int64_t year, const TimeZone::Rule::Day& r, int32_t offset) {
  int64_t s = 0;
  if (r.kind == 'J') {
    s = int64_t{r.day - 1} * kSecondsPerDay;
    if (IsLeap(year) && r.day >= 60) s += kSecondsPerDay;
  } else if (r.kind == 'n') {
    s = int64_t{r.day} * kSecondsPerDay;
  } else {
    // Zeller's congruence: the weekday of the month's first day.
    const int64_t m1 = (r.month + 9) % 12 + 1;
    const int64_t yy0 = r.month <= 2 ? year - 1 : year;
    const int64_t yy1 = yy0 / 100, yy2 = yy0 % 100;
    int64_t dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
    if (dow < 0) dow += 7;
    int64_t d = r.day - dow;
    if (d < 0) d += 7;
    for (int i = 1; i < r.week; ++i) {
      if (d + 7 >= DaysIn(r.month, year)) break;
      d += 7;
    }
    d += DaysBefore(r.month);
    if (IsLeap(year) && r.month > 2) ++d;
    s = d * kSecondsPerDay;
  }
  return s + r.time - offset;
}

struct Span {
  int32_t offset;
  int64_t start, end;  // the instants [start, end) the offset holds for, as far as Go knows them
};

// Go's tzset after the last transition (`last`): the offset at `sec` and its span, which is exact
// near a change and otherwise the year's bounds (what Date needs).
Span RuleSpan(const TimeZone::Rule& rule, int64_t last, int64_t sec) {
  if (!rule.has_dst) return {rule.std_offset, last, kOmega};
  int64_t year = 0;
  int month = 0, day = 0;
  const int64_t days = FloorDiv(sec, kSecondsPerDay);
  CivilFromDays(days, &year, &month, &day);
  const int64_t yday = days - DaysFromCivil(year, 1, 1) + 1;
  // Go's own sum: `sec % 86400` truncates, so before 1970 it is a day off; mirrored, as the
  // controller sees it.
  const int64_t ysec = (yday - 1) * kSecondsPerDay + sec % kSecondsPerDay;
  const int64_t ystart = sec - ysec;
  int64_t start = RuleTime(year, rule.start, rule.std_offset);
  int64_t end = RuleTime(year, rule.end, rule.dst_offset);
  int32_t std_offset = rule.std_offset, dst_offset = rule.dst_offset;
  if (end < start) {  // the southern hemisphere: daylight time spans the new year
    std::swap(start, end);
    std::swap(std_offset, dst_offset);
  }
  if (ysec < start) return {std_offset, ystart, start + ystart};
  if (ysec >= end) return {std_offset, end + ystart, ystart + 365 * kSecondsPerDay};
  return {dst_offset, start + ystart, end + ystart};
}

// Go's lookupFirstZone: the type before the first transition.
size_t FirstType(const TimeZone& z) {
  const bool first_used = std::any_of(z.transitions.begin(), z.transitions.end(),
                                      [](const TimeZone::Transition& t) { return t.type == 0; });
  if (!first_used) return 0;
  if (!z.transitions.empty() && z.types[z.transitions[0].type].is_dst) {
    for (int i = z.transitions[0].type - 1; i >= 0; --i) {
      if (!z.types[static_cast<size_t>(i)].is_dst) return static_cast<size_t>(i);
    }
  }
  for (size_t i = 0; i < z.types.size(); ++i) {
    if (!z.types[i].is_dst) return i;
  }
  return 0;
}

// Go's Location.lookup, its binary search included (the file's order is not checked, by Go
// either: what unordered transitions give is what Go gives).
Span Lookup(const TimeZone& z, int64_t sec) {
  if (z.types.empty()) return {0, kAlpha, kOmega};
  const auto& tx = z.transitions;
  if (tx.empty() || sec < tx[0].at) {
    return {z.types[FirstType(z)].offset, kAlpha, tx.empty() ? kOmega : tx[0].at};
  }
  size_t lo = 0, hi = tx.size();
  int64_t end = kOmega;
  while (hi - lo > 1) {
    const size_t m = lo + (hi - lo) / 2;
    if (sec < tx[m].at) {
      end = tx[m].at;
      hi = m;
    } else {
      lo = m;
    }
  }
  if (lo == tx.size() - 1 && z.footer) {
    return RuleSpan(*z.footer, tx[lo].at, std::clamp(sec, -kFar, kFar));
  }
  return {z.types[tx[lo].type].offset, tx[lo].at, end};
}

// Big-endian reads off the front of the data, as Go's dataIO: any read past the end fails.
struct Reader {
  explicit Reader(std::string_view bytes) : data(bytes) {}

  std::string_view data;
  bool failed = false;

  std::string_view Read(uint64_t n) {
    if (failed || n > data.size()) {
      failed = true;
      return {};
    }
    std::string_view out = data.substr(0, static_cast<size_t>(n));
    data.remove_prefix(static_cast<size_t>(n));
    return out;
  }
  uint64_t Number(size_t bytes) {
    uint64_t v = 0;
    for (char c : Read(bytes)) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
  }
};

Status Malformed(std::string_view name, const std::string& what) {
  return Status::InvalidArgument("time zone " + std::string(name) +
                                 ": malformed time zone information: " + what);
}

std::string ErrnoText(int error) {
  std::string text = std::error_code(error, std::generic_category()).message();
  // Go's words for an errno are strerror's, lower-cased: "is a directory".
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The file's bytes; `missing` when it does not exist (Go's ENOENT: the next directory is tried).
Result<std::string> ReadZoneFile(const std::string& path, bool* missing) {
  *missing = false;
  // O_NONBLOCK: a FIFO put there opens without waiting for a writer (and is refused below).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int error = errno;
    *missing = error == ENOENT;
    return Status::Unavailable(path + ": " + ErrnoText(error));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::Unavailable(path + ": " + ErrnoText(errno));
  if (S_ISDIR(st.st_mode)) return Status::Unavailable(path + ": " + ErrnoText(EISDIR));
  if (!S_ISREG(st.st_mode)) return Status::Unavailable(path + ": not a regular file");
  const std::string too_large =
      path + ": larger than " + std::to_string(kMaxFileBytes >> 10) + " KiB";
  if (st.st_size > static_cast<off_t>(kMaxFileBytes)) return Status::Unavailable(too_large);
  std::string data;
  char buf[8192];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable(path + ": " + ErrnoText(errno));
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxFileBytes) return Status::Unavailable(too_large);  // it grew
  }
  return data;
}

}  // namespace

TimeZone TimeZone::Utc() {
  TimeZone z;
  z.name = "UTC";
  return z;
}

Result<TimeZone> TimeZone::Load(std::string_view name) {
  std::vector<std::string> directories;
  // Go reads $ZONEINFO once per process; here at each load, which changes nothing in a pod.
  if (const char* zoneinfo = std::getenv("ZONEINFO"); zoneinfo != nullptr && *zoneinfo != '\0') {
    std::string dir = zoneinfo;
    const bool zip = dir.size() > 4 && dir.compare(dir.size() - 4, 4, ".zip") == 0;
    if (!zip) directories.push_back(std::move(dir));
  }
  for (const char* dir : kSystemDirectories) directories.emplace_back(dir);
  return LoadFrom(name, directories);
}

Result<TimeZone> TimeZone::LoadFrom(std::string_view name,
                                    const std::vector<std::string>& directories) {
  if (name.empty() || name == "UTC") return Utc();
  if (name == "Local") {
    TimeZone local = Utc();
    local.name = "Local";
    return local;
  }
  // "No valid IANA Time Zone name contains a single dot, much less dot dot. Likewise, none
  // begin with a slash." (Go). A NUL byte is refused by Go's open: "invalid argument".
  if (name.find("..") != std::string_view::npos || name[0] == '/' || name[0] == '\\') {
    return Status::InvalidArgument("time: invalid location name");
  }
  if (name.find('\0') != std::string_view::npos) return Status::InvalidArgument("invalid argument");
  // Go's loadLocation: the first directory whose file parses wins; failing that, the first
  // error other than "no such file"; failing that, "unknown time zone".
  std::optional<Status> first_error;
  for (const std::string& dir : directories) {
    const std::string path = dir + "/" + std::string(name);
    bool missing = false;
    Result<std::string> data = ReadZoneFile(path, &missing);
    if (missing) continue;
    if (data.ok()) {
      Result<TimeZone> zone = Parse(name, data.value());
      if (zone.ok()) return zone;
      if (!first_error) {
        first_error = Status::Unavailable(zone.status().message() + " (" + path + ")");
      }
    } else if (!first_error) {
      first_error =
          Status::Unavailable("time zone " + std::string(name) + ": " + data.status().message());
    }
  }
  if (first_error) return *first_error;
  if (std::none_of(directories.begin(), directories.end(), IsDirectory)) {
    std::string list;
    for (const std::string& dir : directories) list += (list.empty() ? "" : ", ") + dir;
    return Status::Unavailable("no time zone database here to find " + std::string(name) +
                               " in (none of " + list + " is a directory)");
  }
  return Status::NotFound("unknown time zone " + std::string(name));
}

Result<TimeZone> TimeZone::Parse(std::string_view name, std::string_view tzif) {
  if (tzif.size() > kMaxFileBytes) return Malformed(name, "larger than 256 KiB");
  Reader d{tzif};
  if (d.Read(4) != "TZif") {
    return Status::InvalidArgument("time zone " + std::string(name) + ": not a TZif file");
  }
  const std::string_view header = d.Read(16);  // the version, then 15 bytes of padding
  if (d.failed) return Malformed(name, "a header cut short");
  const char version = header[0];
  if (version != '\0' && version != '2' && version != '3' && version != '4') {
    return Malformed(name, "an unknown version");
  }
  enum { kUtcLocal, kStdWall, kLeap, kTime, kType, kChar };
  uint64_t n[6] = {};
  for (uint64_t& count : n) count = d.Number(4);
  if (d.failed) return Malformed(name, "a header cut short");
  const bool is64 = version != '\0';
  if (is64) {
    // The 32-bit data first, written for version 1 readers: skipped, with the second header.
    d.Read(n[kTime] * 5 + n[kType] * 6 + n[kChar] + n[kLeap] * 8 + n[kStdWall] + n[kUtcLocal] + 20);
    for (uint64_t& count : n) count = d.Number(4);  // they may differ
    if (d.failed) return Malformed(name, "counts larger than the file");
  }
  const uint64_t size = is64 ? 8 : 4;
  // Every count is at most 2^32 - 1: these products fit, and a count larger than what is left
  // of the file fails the read before anything is allocated.
  Reader times{d.Read(n[kTime] * size)};
  const std::string_view time_types = d.Read(n[kTime]);
  Reader type_data{d.Read(n[kType] * 6)};
  d.Read(n[kChar]);  // the abbreviations: only their count is used
  d.Read(n[kLeap] * (size + 4));
  d.Read(n[kStdWall]);
  d.Read(n[kUtcLocal]);
  if (d.failed) return Malformed(name, "counts larger than the file");
  if (n[kType] == 0) return Malformed(name, "no local time types");

  TimeZone z;
  z.name = std::string(name);
  // The footer: what is left, between newlines (version 1 files have none; Go reads one anyway).
  const std::string_view rest = d.data;
  if (rest.size() > 2 && rest.front() == '\n' && rest.back() == '\n') {
    z.footer = ReadRule(rest.substr(1, rest.size() - 2));
  }
  z.types.reserve(static_cast<size_t>(n[kType]));
  for (uint64_t i = 0; i < n[kType]; ++i) {
    Type t;
    t.offset = static_cast<int32_t>(static_cast<uint32_t>(type_data.Number(4)));
    t.is_dst = type_data.Number(1) != 0;
    if (type_data.Number(1) >= n[kChar]) return Malformed(name, "an abbreviation out of range");
    z.types.push_back(t);
  }
  z.transitions.reserve(static_cast<size_t>(n[kTime]));
  for (uint64_t i = 0; i < n[kTime]; ++i) {
    Transition t;
    const uint64_t at = times.Number(static_cast<size_t>(size));
    t.at = is64 ? static_cast<int64_t>(at)
                : int64_t{static_cast<int32_t>(static_cast<uint32_t>(at))};
    t.type = static_cast<uint8_t>(time_types[static_cast<size_t>(i)]);
    if (size_t{t.type} >= z.types.size()) {
      return Malformed(name, "a transition to a type out of range");
    }
    z.transitions.push_back(t);
  }
  // None (Etc/GMT-14, or a zone told by its footer alone): one at the beginning of time, to the
  // first type, as Go does; after it, the footer.
  if (z.transitions.empty()) z.transitions.push_back({kAlpha, 0});
  return z;
}

int TimeZone::OffsetAt(int64_t unix_seconds) const { return Lookup(*this, unix_seconds).offset; }

int64_t TimeZone::Date(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t minute,
                       int64_t second) const {
  auto field = [](int64_t v) { return std::clamp(v, -kFarField, kFarField); };
  // Go's norm: months overflow into years; days, hours, minutes and seconds add up linearly.
  const int64_t m0 = field(month) - 1;
  const int64_t y = field(year) + FloorDiv(m0, 12);
  const int64_t m = m0 - FloorDiv(m0, 12) * 12 + 1;
  const int64_t days = DaysFromCivil(y, m, 1) + field(day) - 1;
  const int64_t wall = std::clamp(
      days * kSecondsPerDay + field(hour) * 3600 + field(minute) * 60 + field(second), -kFar, kFar);
  // Go: the offset at the wall time read as UTC; if the instant that gives falls outside that
  // offset's span, the offset at that instant.
  const Span span = Lookup(*this, wall);
  int64_t offset = span.offset;
  if (offset == 0) return wall;
  const int64_t utc = wall - offset;
  if (utc < span.start || utc >= span.end) offset = Lookup(*this, utc).offset;
  return wall - offset;
}

TimeZone::Civil TimeZone::CivilAt(int64_t unix_seconds) const {
  const int64_t unix = std::clamp(unix_seconds, -kFar, kFar);
  const int64_t wall = unix + Lookup(*this, unix).offset;
  const int64_t days = FloorDiv(wall, kSecondsPerDay);
  const int64_t second_of_day = wall - days * kSecondsPerDay;
  Civil c;
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = static_cast<int>(second_of_day / 3600);
  c.minute = static_cast<int>(second_of_day / 60 % 60);
  c.second = static_cast<int>(second_of_day % 60);
  c.weekday = static_cast<int>((days % 7 + 7 + 4) % 7);  // 1970-01-01 was a Thursday
  return c;
}

}  // namespace pullguard::audit

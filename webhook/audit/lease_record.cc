#include "audit/lease_record.h"

#include <cstdio>
#include <ctime>

#include "common/json_fields.h"

namespace pullguard::audit {
namespace {

using nlohmann::json;

bool Digits(const std::string& s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::string MicroTime(WallTime t) {
  auto since = t.time_since_epoch();
  auto secs = std::chrono::floor<std::chrono::seconds>(since);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since - secs).count();
  std::time_t s = static_cast<std::time_t>(secs.count());
  std::tm utc{};
  gmtime_r(&s, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%06uZ", date, static_cast<unsigned>(micros % 1000000));
  return out;
}

std::optional<WallTime> ParseTime(const std::string& s) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &month) || s[7] != '-' ||
      !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &hour) || s[13] != ':' ||
      !Digits(s, 14, 2, &minute) || s[16] != ':' || !Digits(s, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  size_t at = 19;
  int64_t micros = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    int64_t scale = 100000;
    size_t digits = 0;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (scale > 0) micros += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  int64_t offset_seconds = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    int oh = 0, om = 0;
    if (!Digits(s, at + 1, 2, &oh) || at + 3 >= s.size() || s[at + 3] != ':' || !Digits(s, at + 4, 2, &om)) return std::nullopt;
    offset_seconds = (oh * 3600 + om * 60) * (s[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != s.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t t = timegm(&tm);
  return WallTime(std::chrono::seconds(static_cast<int64_t>(t) - offset_seconds)) +
         std::chrono::duration_cast<WallTime::duration>(std::chrono::microseconds(micros));
}

Result<LeaseRecord> ReadLease(const json& lease) {
  if (!lease.is_object()) return Status::InvalidArgument("a Lease must be a JSON object");
  LeaseRecord r;
  auto meta = lease.find("metadata");
  if (meta != lease.end() && meta->is_object()) r.resource_version = StringAt(*meta, "resourceVersion");
  auto spec = lease.find("spec");
  if (spec == lease.end() || spec->is_null()) return r;  // an empty Lease: nobody holds it
  if (!spec->is_object()) return Status::InvalidArgument("the Lease's spec is not an object");
  r.holder = StringAt(*spec, "holderIdentity");
  r.duration_seconds = IntAt(*spec, "leaseDurationSeconds");
  r.transitions = IntAt(*spec, "leaseTransitions");
  if (std::string t = StringAt(*spec, "acquireTime"); !t.empty()) r.acquire_time = ParseTime(t);
  if (std::string t = StringAt(*spec, "renewTime"); !t.empty()) r.renew_time = ParseTime(t);
  return r;
}

json LeaseObject(const std::string& ns, const std::string& name, const LeaseRecord& r) {
  json meta = {{"name", name}, {"namespace", ns}};
  if (!r.resource_version.empty()) meta["resourceVersion"] = r.resource_version;
  json spec = {{"holderIdentity", r.holder}, {"leaseDurationSeconds", r.duration_seconds},
               {"leaseTransitions", r.transitions}};
  if (r.acquire_time) spec["acquireTime"] = MicroTime(*r.acquire_time);
  if (r.renew_time) spec["renewTime"] = MicroTime(*r.renew_time);
  return {{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}, {"metadata", meta}, {"spec", spec}};
}

}  // namespace pullguard::audit

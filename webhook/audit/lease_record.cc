#include "audit/lease_record.h"

#include <cstdio>
#include <ctime>

#include "common/json_fields.h"
#include "common/rfc3339.h"

namespace pullguard::audit {
namespace {

using nlohmann::json;


}  // namespace

std::string MicroTime(WallTime t) { return FormatRfc3339Micro(t); }

std::optional<WallTime> ParseTime(const std::string& s) { return ParseRfc3339(s); }

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

// A coordination.k8s.io/v1 Lease as leader election reads and writes it: spec.holderIdentity,
// leaseDurationSeconds, acquireTime, renewTime (metav1.MicroTime: RFC 3339 with microseconds)
// and leaseTransitions, and metadata.resourceVersion, which makes an update conditional (409
// when someone else wrote first).
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"

namespace pullguard::audit {

using WallTime = std::chrono::system_clock::time_point;

struct LeaseRecord {
  std::string holder;  // spec.holderIdentity; "" : nobody (released)
  int64_t duration_seconds = 0;
  std::optional<WallTime> acquire_time;
  std::optional<WallTime> renew_time;
  int64_t transitions = 0;
  std::string resource_version;

  bool operator==(const LeaseRecord&) const = default;
};

// A Lease object from the API. InvalidArgument when it is not one.
Result<LeaseRecord> ReadLease(const nlohmann::json& lease);

// The Lease object to POST (no resourceVersion) or PUT (with the record's resourceVersion).
nlohmann::json LeaseObject(const std::string& ns, const std::string& name, const LeaseRecord& record);

// metav1.MicroTime: 2026-12-03T00:31:52.123456Z.
std::string MicroTime(WallTime t);
// RFC 3339, with or without a fraction, Z or an offset; nullopt when it is not.
std::optional<WallTime> ParseTime(const std::string& text);

}  // namespace pullguard::audit

// LeaseClient: one Lease through the Kubernetes API: GET, POST (create), PUT (a conditional
// update: the record's resourceVersion; 409 Conflict when someone else wrote first).
// Thread-safety: every method may be called from any thread (ApiClient's methods are).
#pragma once

#include <optional>
#include <string>

#include "audit/lease_record.h"
#include "kube/api_client.h"

namespace pullguard::audit {

class LeaseClient {
 public:
  LeaseClient(kube::ApiClient& api, std::string ns, std::string name);

  // The Lease, or nullopt when there is none (404).
  Result<std::optional<LeaseRecord>> Get();
  // The record as the server stored it (with its resourceVersion). Unavailable on a 409 (it
  // exists / it changed since it was read) and any other failure, with words that say which.
  Result<LeaseRecord> Create(const LeaseRecord& record);
  Result<LeaseRecord> Update(const LeaseRecord& record);

  const std::string& ns() const { return ns_; }
  const std::string& name() const { return name_; }

 private:
  Result<LeaseRecord> Stored(const kube::ApiResponse& r, const char* verb);

  kube::ApiClient& api_;
  std::string ns_, name_;
  std::string collection_;  // /apis/coordination.k8s.io/v1/namespaces/NS/leases
};

}  // namespace pullguard::audit

#include "audit/lease_client.h"

#include <nlohmann/json.hpp>

#include "kube/pod_reader.h"

namespace pullguard::audit {

LeaseClient::LeaseClient(kube::ApiClient& api, std::string ns, std::string name)
    : api_(api),
      ns_(std::move(ns)),
      name_(std::move(name)),
      collection_("/apis/coordination.k8s.io/v1/namespaces/" + kube::QueryEscape(ns_) + "/leases") {}

Result<std::optional<LeaseRecord>> LeaseClient::Get() {
  kube::ApiResponse r = api_.Get(collection_ + "/" + kube::QueryEscape(name_), std::chrono::seconds(5));
  if (r.status == 404) return std::optional<LeaseRecord>{};
  if (r.status != 200) return kube::ReadFailure(r, "get", "leases", ns_);
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  auto lease = ReadLease(doc);
  if (!lease.ok()) return lease.status();
  return std::optional<LeaseRecord>{lease.value()};
}

Result<LeaseRecord> LeaseClient::Stored(const kube::ApiResponse& r, const char* verb) {
  if (r.status == 409) {
    return Status::Unavailable(std::string("lease ") + ns_ + "/" + name_ + ": another replica wrote it first (409)");
  }
  if (r.status != 200 && r.status != 201) return kube::ReadFailure(r, verb, "leases", ns_);
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  return ReadLease(doc);
}

Result<LeaseRecord> LeaseClient::Create(const LeaseRecord& record) {
  LeaseRecord fresh = record;
  fresh.resource_version.clear();  // a create never carries one
  return Stored(api_.Post(collection_, LeaseObject(ns_, name_, fresh).dump(), std::chrono::seconds(5)), "create");
}

Result<LeaseRecord> LeaseClient::Update(const LeaseRecord& record) {
  return Stored(api_.Put(collection_ + "/" + kube::QueryEscape(name_), LeaseObject(ns_, name_, record).dump(),
                         std::chrono::seconds(5)),
                "update");
}

}  // namespace pullguard::audit

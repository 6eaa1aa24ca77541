// Pull secrets and ServiceAccounts read from the Kubernetes API, cached for a few seconds.
// 404 means "does not exist"; 403 and other failures are errors whose words say what RBAC
// pullguard lacks, so they become clear findings, never crashes.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include "auth/secret_source.h"
#include "common/nodes.h"
#include "kube/api_client.h"
#include "kube/ttl_cache.h"

namespace pullguard::kube {

class KubeSecretSource : public auth::SecretSource {
 public:
  explicit KubeSecretSource(ApiClient& api, std::chrono::milliseconds ttl = std::chrono::seconds(10))
      : api_(api), cache_("kube_secrets", ttl) {}
  Result<std::optional<auth::PullSecret>> Get(const std::string& ns, const std::string& name) override;

 private:
  ApiClient& api_;
  TtlCache<Result<std::optional<auth::PullSecret>>> cache_;
};

class KubeServiceAccountSource : public auth::ServiceAccountSource {
 public:
  explicit KubeServiceAccountSource(ApiClient& api, std::chrono::milliseconds ttl = std::chrono::seconds(10))
      : api_(api), cache_("kube_serviceaccounts", ttl) {}
  // Its imagePullSecrets, metadata.annotations and metadata.uid.
  Result<std::optional<auth::ServiceAccountInfo>> Get(const std::string& ns, const std::string& name) override;

 private:
  ApiClient& api_;
  TtlCache<Result<std::optional<auth::ServiceAccountInfo>>> cache_;
};

// The cluster's nodes (names, labels, status.images), from GET /api/v1/nodes page by page
// (limit/continue), cached for a minute. A failure is logged and counted
// (pullguard_node_list_failures_total); callers fall back to the policy.
class KubeNodeSource : public NodeSource {
 public:
  explicit KubeNodeSource(ApiClient& api, std::chrono::milliseconds ttl = std::chrono::seconds(60), size_t page_size = 50)
      : api_(api), cache_("kube_nodes", ttl), page_size_(page_size) {}
  Result<NodeList> Nodes() override;

 private:
  Result<NodeList> Fetch();
  ApiClient& api_;
  TtlCache<Result<NodeList>> cache_;
  size_t page_size_;
};

// Why an API answer is not a usable object, in words ("403: pullguard may not get secrets in
// namespace shop; grant it (manifests/base/rbac.yaml)").
Status ApiFailure(const ApiResponse& response, const std::string& resource, const std::string& ns);

}  // namespace pullguard::kube

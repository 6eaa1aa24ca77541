// ServiceAccount tokens from the Kubernetes API's TokenRequest API, for kubelet credential
// providers with tokenAttributes (KEP-4412), when the policy lets pullguard ask for them.
// Thread-safety: Token() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "auth/secret_source.h"
#include "common/bounded_cache.h"
#include "common/status.h"
#include "kube/api_client.h"

namespace pullguard::kube {

// ServiceAccount tokens from the TokenRequest API, for credential providers with
// tokenAttributes (KEP-4412) when the policy's nodeCredentials.serviceAccountTokens is on:
// POST /api/v1/namespaces/NS/serviceaccounts/NAME/token with an authentication.k8s.io/v1
// TokenRequest {spec: {audiences: [AUDIENCE], expirationSeconds: 600}}. The kubelet's own
// request (pkg/credentialprovider/plugin/plugin.go, getServiceAccountToken) binds the token to
// the pod (boundObjectRef); an admission review has no pod yet (a Deployment's template never
// has one, and a Pod under review is not stored yet; a dry run's never is), and a TokenRequest
// bound to a Pod needs that Pod to exist. So the token is unbound, and lives the shortest time the API
// accepts: 600 s (validation refuses less than 10 minutes).
// Tokens are kept in memory per (namespace, ServiceAccount, audience), as the kubelet's token
// manager keeps them (pkg/kubelet/token/token_manager.go), until 20% of their life is left; a
// failed refresh keeps a token that has not expired yet, as it does. Failures are kept for 10 s
// (as the API's other answers here), so a refused TokenRequest is not repeated on every review.
// Identical requests in flight are joined. A token is never logged nor put in an error.
class KubeServiceAccountTokenSource : public auth::ServiceAccountTokenSource {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;
  static constexpr int64_t kExpirationSeconds = 600;

  explicit KubeServiceAccountTokenSource(ApiClient& api, Now now = Clock::now, size_t max_entries = 4096);
  Result<std::string> Token(const std::string& ns, const std::string& name, const std::string& audience,
                            Clock::time_point deadline) override;
  // TokenRequests sent (tests).
  size_t requests() const { return requests_.load(); }

 private:
  struct Issued {
    std::string token;            // "" when `error` says why there is none
    Status error;
    Clock::time_point expires{};  // the token's own expiry
  };
  ApiClient& api_;
  Now now_;
  BoundedCache<Issued> cache_;
  std::atomic<size_t> requests_{0};
};

// The body of pullguard's TokenRequest for `audience` (JSON): unbound, kExpirationSeconds.
std::string TokenRequestBody(const std::string& audience);

// A token the TokenRequest API issued, and when it expires (its status.expirationTimestamp).
struct IssuedToken {
  std::string token;
  std::chrono::system_clock::time_point expires;
};

// The TokenRequest API's answer for ServiceAccount ns/name and `audience`: the token (200 or
// 201 with status.token and status.expirationTimestamp), or an error in words that say what to
// do: 403 (RBAC: install manifests/components/serviceaccount-tokens; or that component's
// ValidatingAdmissionPolicy refusing the audience), 404 (no such ServiceAccount), ... Never
// the body (it holds the token).
Result<IssuedToken> ParseTokenRequestAnswer(const ApiResponse& response, const std::string& ns, const std::string& name,
                                            const std::string& audience);

}  // namespace pullguard::kube

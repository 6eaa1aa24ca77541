#include "kube/service_account_tokens.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/json_fields.h"
#include "common/rfc3339.h"

namespace pullguard::kube {

namespace {

// How long a TokenRequest may take at most (the review's deadline may leave less), and how long
// a refusal the API answered is kept (as KubeServiceAccountSource keeps its answers).
constexpr std::chrono::milliseconds kTokenRequestTimeout{5000};
constexpr std::chrono::seconds kTokenFailureTtl{10};
// A token this close to its expiry is not used again when its refresh fails.
constexpr std::chrono::seconds kTokenExpiryMargin{30};
constexpr const char* kTokenComponent = "manifests/components/serviceaccount-tokens";

// The message of a metav1.Status error body; "" when the body is not one.
std::string StatusMessage(const std::string& body) {
  return StringAt(nlohmann::json::parse(body, nullptr, false), "message");
}

// The string at object.status[key]; "" when absent or not a string.
std::string StatusString(const nlohmann::json& object, const char* key) {
  const nlohmann::json* status = ObjectAt(object, "status");
  return status != nullptr ? StringAt(*status, key) : "";
}

}  // namespace

std::string TokenRequestBody(const std::string& audience) {
  // No boundObjectRef: a review's pod does not exist yet (see KubeServiceAccountTokenSource).
  nlohmann::json body = {{"apiVersion", "authentication.k8s.io/v1"},
                         {"kind", "TokenRequest"},
                         {"spec",
                          {{"audiences", nlohmann::json::array({audience})},
                           {"expirationSeconds", KubeServiceAccountTokenSource::kExpirationSeconds}}}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<IssuedToken> ParseTokenRequestAnswer(const ApiResponse& r, const std::string& ns, const std::string& name,
                                            const std::string& audience) {
  const std::string sa = "ServiceAccount " + ns + "/" + name;
  if (r.status == 0) return Status::Unavailable("the Kubernetes API did not answer the TokenRequest (" + r.error + ")");
  if (r.status == 401) return Status::Unavailable("the Kubernetes API rejected pullguard's own token (401)");
  if (r.status == 403) {
    // RBAC, the component's ValidatingAdmissionPolicy, or another admission check: the API
    // server's message tells which (its words are not repeated).
    const std::string message = StatusMessage(r.body);
    if (message.find("ValidatingAdmissionPolicy") != std::string::npos) {
      return Status::Unavailable("a ValidatingAdmissionPolicy refused pullguard a token for audience " + audience +
                                 " (403): list the audience in the ConfigMap pullguard-token-audiences (" +
                                 kTokenComponent + ")");
    }
    if (message.find("admission webhook") != std::string::npos) {
      return Status::Unavailable("an admission webhook refused pullguard's TokenRequest for " + sa + " (403)");
    }
    return Status::Unavailable("pullguard may not request ServiceAccount tokens in namespace " + ns +
                               " (403): install the component " + kTokenComponent);
  }
  if (r.status == 404) return Status::Unavailable(sa + " does not exist (TokenRequest: 404)");
  if (r.status != 200 && r.status != 201) {
    return Status::Unavailable("the Kubernetes API answered " + std::to_string(r.status) + " to the TokenRequest for " + sa);
  }
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (!doc.is_object()) return Status::Unavailable("the Kubernetes API answered a TokenRequest that is not JSON");
  IssuedToken issued;
  issued.token = StatusString(doc, "token");
  if (issued.token.empty()) return Status::Unavailable("the Kubernetes API answered a TokenRequest without status.token");
  auto expires = ParseRfc3339(StatusString(doc, "expirationTimestamp"));
  if (!expires) {
    return Status::Unavailable("the Kubernetes API answered a TokenRequest without a valid status.expirationTimestamp");
  }
  issued.expires = *expires;
  return issued;
}

KubeServiceAccountTokenSource::KubeServiceAccountTokenSource(ApiClient& api, Now now, size_t max_entries)
    : api_(api), now_(now), cache_("kube_serviceaccount_tokens", std::max<size_t>(1, max_entries), std::move(now)) {}

Result<std::string> KubeServiceAccountTokenSource::Token(const std::string& ns, const std::string& name,
                                                         const std::string& audience, Clock::time_point deadline) {
  // One entry per (namespace, ServiceAccount, audience): the kubelet's token manager keys its
  // cache by them (and by the pod the token is bound to, which pullguard's are not).
  std::string key;
  for (const std::string* part : {&ns, &name, &audience}) key += std::to_string(part->size()) + ":" + *part;
  auto compute = [&]() -> std::pair<Issued, BoundedCache<Issued>::Clock::duration> {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return {Issued{"", Status::DeadlineExceeded("no time was left to request a ServiceAccount token"), {}}, {}};
    }
    ++requests_;
    ApiResponse response = api_.Post("/api/v1/namespaces/" + ns + "/serviceaccounts/" + name + "/token",
                                     TokenRequestBody(audience), std::min(left, kTokenRequestTimeout));
    Result<IssuedToken> got = ParseTokenRequestAnswer(response, ns, name, audience);
    const Clock::time_point now = now_();
    if (got.ok()) {
      const auto life = std::chrono::duration_cast<Clock::duration>(got->expires - std::chrono::system_clock::now());
      Issued issued{got->token, Status(), now + life};
      // token_manager.go's requiresRefresh: a new token once 80% of its life has passed (a token
      // that seems expired already, clocks apart, serves this once and is not kept).
      return {std::move(issued), life.count() > 0 ? life - life / 5 : Clock::duration::zero()};
    }
    // GetServiceAccountToken: a refresh that fails keeps the old token while it is valid.
    if (auto old = cache_.Peek(key); old && !old->value.token.empty() && old->value.expires > now + kTokenExpiryMargin) {
      Issued kept = old->value;
      return {kept, std::min<Clock::duration>(kTokenFailureTtl, kept.expires - now - kTokenExpiryMargin)};
    }
    // A refusal is kept a little; a TokenRequest that got no answer is not (the review's
    // deadline may have cut it short).
    return {Issued{"", got.status(), {}}, response.status != 0 ? Clock::duration(kTokenFailureTtl) : Clock::duration::zero()};
  };
  std::optional<Issued> issued;
  try {
    issued = cache_.GetOrCompute(key, compute, deadline);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("requesting a ServiceAccount token: ") + e.what());
  }
  if (!issued) return Status::DeadlineExceeded("timed out waiting for the TokenRequest already in flight");
  if (issued->token.empty()) return issued->error;
  return issued->token;
}

}  // namespace pullguard::kube

#include "checker/node_credential_findings.h"

#include <algorithm>
#include <ctime>

#include "auth/ecr_token.h"
#include "common/rfc3339.h"

namespace pullguard::checker {

using registry::Outcome;

auth::NodeCredentialSettings NodeSettings(const policy::Policy& policy) {
  const policy::NodeCredentialSettings& s = policy.node_credentials;
  auth::NodeCredentialSettings out;
  out.provider_config = s.provider_config;
  out.provider_bin_dir = s.provider_bin_dir;
  out.presets = s.presets;
  for (const auto& p : s.providers) out.providers.push_back({p.name, p.match_images});
  return out;
}

bool NeedsNodeCredentials(const registry::ProbeResult& result, const auth::NodeCredentialAnswer& node) {
  if (node.provider.empty()) return false;
  switch (result.outcome) {
    case Outcome::kUnauthorized:
    case Outcome::kForbidden:
      return true;
    case Outcome::kNotFound:
      // Some registries hide a private repository behind a 404 to strangers. Not a repository
      // the same anonymous caller could read: its tags list (GET /v2/NAME/tags/list, asked with
      // the manifest's token flow, registry_client.h) answered 200, so the repository is public
      // and the 404 is the tag's or digest's own, which no credential of the node's changes: it
      // is judged as on any public registry (TagNotFound, DigestNotFound). This is pullguard's
      // own evidence, not what the node does: containerd never lists tags. Anything else from
      // the tags list (401, 403, 404, a failure, the budget spent) leaves the 404 unproven.
      return result.anonymous && result.repository != registry::RepositoryState::kExists;
    default:
      return false;
  }
}

Finding NodeCredentialsUnverifiedFinding(const Finding& refused, const auth::NodeCredentialAnswer& node) {
  Finding f = refused;
  f.reason = Reason::kNodeCredentialsUnverified;
  std::string why = node.unverified_because.empty() ? "the registry refused the credentials its plugin gave pullguard"
                                                     : node.unverified_because;
  // The registry's refusal by its reason only: its full words would push the line past what the
  // API server passes on. An expired ECR token in a pull secret (AddExpiredTokens) is kept: it is
  // a cause to act on.
  std::string said = std::string(ReasonName(refused.reason));
  if (size_t expired = refused.detail.find("; the ECR token in "); expired != std::string::npos) {
    said += refused.detail.substr(expired);
  }
  // Where to read how to verify is in the detail, which is never cut: a warning past the API
  // server's 256 characters loses its fix (admission/response.h).
  f.detail = "pulled with the node's credentials (" + node.provider +
             "); pullguard could not verify (docs/node-credentials.md): " + why + " (registry: " + said + ")";
  f.fix = "run the plugin in pullguard's pod, or give the pod a pull secret";
  f.action_fixed = false;
  return f;
}

void AddExpiredTokens(Finding& finding, const registry::ProbeTarget& target, const registry::ProbeResult& result) {
  for (const auto& credential : target.credentials) {
    if (std::find(result.refused.begin(), result.refused.end(), credential.source) == result.refused.end()) continue;
    auto expiry = auth::EcrTokenExpiry(credential);
    if (!expiry || *expiry > std::chrono::system_clock::now()) continue;
    finding.detail += "; the ECR token in " + credential.source + " expired at " + FormatRfc3339(*expiry) +
                      " (ECR tokens last 12 hours: the job that refreshes the secret stopped)";
  }
}

std::string_view CredentialSourceOf(const registry::ProbeResult& result, const Finding* finding,
                                    const std::vector<std::string>& service_account_sources) {
  if (finding != nullptr && finding->reason == Reason::kNodeCredentialsUnverified) return "unverified";
  const std::string& source = result.answered_with;
  if (result.anonymous || source.empty()) return "anonymous";
  if (source.rfind("credential provider", 0) == 0) return "node_provider";
  if (source.rfind("node config", 0) == 0) return "node_docker_config";
  if (std::find(service_account_sources.begin(), service_account_sources.end(), source) != service_account_sources.end()) {
    return "serviceaccount_secret";
  }
  return "pod_secret";
}

}  // namespace pullguard::checker

#include "checker/service_account_findings.h"

#include "checker/finding_at.h"

namespace pullguard::checker {

std::optional<Finding> TokenProviderFinding(const ImageUse& use, const std::string& normalized,
                                            const auth::CredentialProviderSpec& provider,
                                            const auth::PodServiceAccount& account) {
  const auth::TokenProviderDecision decision = auth::DecideTokenProvider(provider, &account);
  const std::string& name = provider.name;
  const std::string sa = account.ns + "/" + account.name;
  switch (decision.use) {
    case auth::TokenProviderUse::kAnnotationMissing: {
      // " and " between keys, never ", ": a warning too long for the API server loses its fix's
      // list items from the last ", " on.
      std::string keys;
      for (const auto& key : decision.missing_keys) keys += (keys.empty() ? "" : " and ") + key;
      const bool one = decision.missing_keys.size() == 1;
      return FindingAt(use, normalized, Reason::kServiceAccountAnnotationMissing,
                       "credential provider " + name + " needs " + (one ? "annotation " : "annotations ") + keys +
                           " on ServiceAccount " + sa + " (without " + (one ? "it" : "them") + " the kubelet skips " +
                           name + " for this pod)",
                       "annotate ServiceAccount " + sa + " with " + keys + ", or give the pod a pull secret");
    }
    case auth::TokenProviderUse::kServiceAccountMissing:
      return FindingAt(use, normalized, Reason::kServiceAccountMissing,
                       "ServiceAccount " + sa + " does not exist, so the kubelet skips credential provider " + name +
                           " (tokenAttributes) for this pod",
                       "create it (kubectl create serviceaccount " + account.name + " -n " + account.ns +
                           ") or fix serviceAccountName");
    case auth::TokenProviderUse::kNoServiceAccount: {
      Finding f = FindingAt(use, normalized, Reason::kServiceAccountMissing,
                            "the pod has no ServiceAccount and credential provider " + name +
                                " requires one (tokenAttributes.requireServiceAccount), so the kubelet skips it",
                            "give the pod a pull secret");
      f.at_most_warn = true;  // a static pod: it may pull with what else it has
      return f;
    }
    case auth::TokenProviderUse::kNoTokenAttributes:
    case auth::TokenProviderUse::kWithoutServiceAccount:
    case auth::TokenProviderUse::kReady:
    case auth::TokenProviderUse::kUnknown:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace pullguard::checker

#include "auth/node_credentials.h"

#include "common/log.h"

namespace pullguard::auth {

std::shared_ptr<CredentialProviders> NodeCredentials::ProvidersOf(const std::string& path, const std::string& bin_dir) {
  std::shared_ptr<ReloadingValue<CredentialProviders>> file;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (path != path_ || bin_dir != bin_dir_ || file_ == nullptr) {
      path_ = path;
      bin_dir_ = bin_dir;
      file_ = std::make_shared<ReloadingValue<CredentialProviders>>(
          "credential provider config", std::vector<std::string>{path},
          [bin_dir](const std::vector<std::string>& paths, bool) -> Result<std::shared_ptr<const CredentialProviders>> {
            ASSIGN_OR_RETURN(CredentialProviderConfig config, LoadCredentialProviderConfig(paths.front()));
            return std::shared_ptr<const CredentialProviders>(
                std::make_shared<CredentialProviders>(std::move(config), bin_dir));
          });
      if (Status loaded = file_->Load(); !loaded.ok()) {
        Log(LogLevel::kError, "credential provider config unusable; node credentials are not verified until it changes",
            {{"path", path}, {"error", loaded.message()}});
      }
    }
    file = file_;
  }
  // Provide() keeps its cache inside the providers object: const only in the reloading sense.
  return std::const_pointer_cast<CredentialProviders>(file->Fresh());
}

bool UsesServiceAccountToken(const CredentialProviderSpec& spec) {
  // Provide() and the config's validation: tokenAttributes only with the v1 protocol.
  return spec.token_attributes.has_value() && spec.api_version == kCredentialProviderV1;
}

TokenProviderDecision DecideTokenProvider(const CredentialProviderSpec& spec, const PodServiceAccount* account) {
  TokenProviderDecision decision;
  if (!UsesServiceAccountToken(spec)) return decision;
  const TokenAttributes& attrs = *spec.token_attributes;
  auto decided = [&decision](TokenProviderUse use) {
    decision.use = use;
    return decision;
  };
  if (account == nullptr) return decided(TokenProviderUse::kUnknown);
  // provide(): no ServiceAccount name, then getServiceAccountData (a missing one is an error,
  // a required key missing another), then the token. Each failure skips the provider.
  if (account->name.empty()) {
    return decided(attrs.require_service_account ? TokenProviderUse::kNoServiceAccount
                                                 : TokenProviderUse::kWithoutServiceAccount);
  }
  if (!account->unreadable.empty()) return decided(TokenProviderUse::kUnknown);
  if (!account->account.has_value()) return decided(TokenProviderUse::kServiceAccountMissing);
  const ServiceAccountInfo& sa = *account->account;
  if (sa.assumed && !attrs.required_service_account_annotation_keys.empty()) return decided(TokenProviderUse::kUnknown);
  for (const auto& key : attrs.required_service_account_annotation_keys) {
    auto it = sa.annotations.find(key);
    if (it == sa.annotations.end()) {
      decision.missing_keys.push_back(key);
    } else {
      decision.annotations[key] = it->second;
    }
  }
  if (!decision.missing_keys.empty()) {
    decision.annotations.clear();
    return decided(TokenProviderUse::kAnnotationMissing);
  }
  for (const auto& key : attrs.optional_service_account_annotation_keys) {
    if (auto it = sa.annotations.find(key); it != sa.annotations.end()) decision.annotations[key] = it->second;
  }
  return decided(TokenProviderUse::kReady);
}

std::vector<CredentialProviderSpec> NodeCredentials::Matching(const std::string& image,
                                                              const NodeCredentialSettings& settings) {
  std::vector<CredentialProviderSpec> out;
  if (settings.provider_config.empty()) return out;
  std::shared_ptr<CredentialProviders> providers = ProvidersOf(settings.provider_config, settings.provider_bin_dir);
  if (providers == nullptr) return out;
  for (const CredentialProviderSpec* spec : providers->Matching(image)) out.push_back(*spec);
  return out;
}

namespace {

// Why the kubelet does not use a provider with tokenAttributes for this pod, or why pullguard
// cannot run it; "" when it can. `token_problem`: why the TokenRequest gave no token ("" when it
// was not asked). Annotation keys are named, never their values.
std::string TokenProviderProblem(const TokenProviderDecision& decision, const PodServiceAccount* account,
                                 bool have_token, const std::string& token_problem) {
  const std::string sa = account != nullptr ? "ServiceAccount " + account->ns + "/" + account->name : "";
  switch (decision.use) {
    case TokenProviderUse::kNoTokenAttributes:
    case TokenProviderUse::kWithoutServiceAccount:
      return "";
    case TokenProviderUse::kReady:
      if (have_token) return "";
      if (!token_problem.empty()) return "pulls with the pod's ServiceAccount token, and " + token_problem;
      return "pulls with the pod's ServiceAccount token, which pullguard does not ask for "
             "(nodeCredentials.serviceAccountTokens is off)";
    case TokenProviderUse::kNoServiceAccount:
      return "is skipped by the kubelet: the pod has no ServiceAccount (tokenAttributes.requireServiceAccount)";
    case TokenProviderUse::kServiceAccountMissing:
      return "is skipped by the kubelet: " + sa + " does not exist";
    case TokenProviderUse::kAnnotationMissing: {
      std::string keys;
      for (const auto& key : decision.missing_keys) keys += (keys.empty() ? "" : ", ") + key;
      return "is skipped by the kubelet: " + sa + " lacks annotation" + (decision.missing_keys.size() == 1 ? " " : "s ") +
             keys;
    }
    case TokenProviderUse::kUnknown:
      if (account == nullptr) return "pulls with the pod's ServiceAccount token, which pullguard does not ask for";
      if (!account->unreadable.empty()) return "pulls with the pod's ServiceAccount, and " + sa + " could not be read";
      return "pulls with the pod's ServiceAccount, whose annotations pullguard does not know";
  }
  return "";
}

bool Skipped(TokenProviderUse use) {
  return use == TokenProviderUse::kNoServiceAccount || use == TokenProviderUse::kServiceAccountMissing ||
         use == TokenProviderUse::kAnnotationMissing;
}

}  // namespace

NodeCredentialAnswer NodeCredentials::For(const std::string& image, const NodeCredentialSettings& settings,
                                          std::chrono::steady_clock::time_point deadline,
                                          const PodServiceAccount* account) {
  NodeCredentialAnswer answer;
  std::string failures;
  if (!settings.provider_config.empty()) {
    std::shared_ptr<CredentialProviders> providers = ProvidersOf(settings.provider_config, settings.provider_bin_dir);
    if (providers == nullptr) {
      failures = "its CredentialProviderConfig " + settings.provider_config + " does not load";
    } else {
      for (const CredentialProviderSpec* spec : providers->Matching(image)) {
        ProviderRequest request;
        request.image = image;
        // KEP-4412: what the kubelet does with this provider for this pod.
        TokenProviderDecision decision = DecideTokenProvider(*spec, account);
        // The token for the provider's audience (the kubelet's getServiceAccountToken), asked only
        // when the kubelet would run the provider with one.
        std::optional<std::string> token;
        std::string token_problem;
        if (decision.use == TokenProviderUse::kReady && account->token) {
          Result<std::string> got = account->token(spec->token_attributes->service_account_token_audience, deadline);
          if (!got.ok()) {
            token_problem = got.status().message();
          } else if (got->empty()) {
            token_problem = "the TokenRequest API answered an empty token";
          } else {
            token = std::move(got).value();
          }
        }
        if (std::string problem = TokenProviderProblem(decision, account, token.has_value(), token_problem);
            !problem.empty()) {
          // A provider the kubelet skips gives the node nothing for this pod: not one it pulls with.
          if (answer.provider.empty() && !Skipped(decision.use)) answer.provider = spec->name;
          failures += (failures.empty() ? "" : "; ") + spec->name + " " + problem;
          continue;
        }
        if (answer.provider.empty()) answer.provider = spec->name;
        if (decision.use == TokenProviderUse::kReady) {
          // As the kubelet: the token, the ServiceAccount's identity (the cache's dimension), and
          // only the annotations the provider lists.
          request.service_account_token = std::move(token);
          request.service_account_namespace = account->ns;
          request.service_account_name = account->name;
          request.service_account_uid = account->account->uid;
          request.service_account_annotations = std::move(decision.annotations);
        }
        ProviderAnswer got = providers->Provide(*spec, request, deadline);
        if (got.ok) {
          answer.credentials.insert(answer.credentials.end(), got.credentials.begin(), got.credentials.end());
          // A plugin may answer with nothing for the image (auth-provider-gcp without a service
          // account answers "auth": {}): it matched, and gave pullguard no credential.
          if (got.credentials.empty()) {
            failures += (failures.empty() ? "" : "; ") + spec->name + " answered no credential for this image";
          }
          continue;
        }
        failures += (failures.empty() ? "" : "; ") + spec->name + " " + got.failure_text;
      }
    }
  }
  if (answer.provider.empty()) {
    for (const auto& own : settings.providers) {
      for (const auto& pattern : own.match_images) {
        if (answer.provider.empty() && UrlsMatch(pattern, image)) answer.provider = own.name;
      }
    }
  }
  if (answer.provider.empty() && settings.presets) {
    if (const ProviderPreset* preset = PresetMatching(image)) answer.provider = preset->name;
  }
  if (answer.provider.empty()) return answer;
  if (answer.credentials.empty()) {
    answer.unverified_because = !failures.empty() ? failures
                                : settings.provider_config.empty()
                                    ? "no credential provider plugin configured"
                                    : "no plugin of " + settings.provider_config + " matches it";
  }
  return answer;
}

}  // namespace pullguard::auth

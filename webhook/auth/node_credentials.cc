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

NodeCredentialAnswer NodeCredentials::For(const std::string& image, const NodeCredentialSettings& settings,
                                          std::chrono::steady_clock::time_point deadline) {
  NodeCredentialAnswer answer;
  std::string failures;
  if (!settings.provider_config.empty()) {
    std::shared_ptr<CredentialProviders> providers = ProvidersOf(settings.provider_config, settings.provider_bin_dir);
    if (providers == nullptr) {
      failures = "its CredentialProviderConfig " + settings.provider_config + " does not load";
    } else {
      for (const CredentialProviderSpec* spec : providers->Matching(image)) {
        if (answer.provider.empty()) answer.provider = spec->name;
        ProviderRequest request;
        request.image = image;
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

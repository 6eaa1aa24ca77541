// NodeCredentials: the credentials a node's kubelet adds for an image after the pod's own, from
// its credential provider plugins (KEP-2133): the plugins of the kubelet's
// CredentialProviderConfig when pullguard has it (--image-credential-provider-config, reloaded
// when it changes), run from its bin dir; and, to know which images only the node can pull,
// the clouds' standard matchImages (provider_presets.h) and the policy's own list. The answer
// is facts: the credentials, which plugin the node would use, and why pullguard has none.
// A provider with tokenAttributes (KEP-4412) is decided per pod, as the kubelet does: skipped
// when the pod's ServiceAccount is missing or lacks a required annotation, run only with the
// pod's token otherwise (which pullguard asks the TokenRequest API for only when the policy's
// nodeCredentials.serviceAccountTokens is on; without a token such images stay unverified).
// Thread-safety: For() and Matching() may be called from any thread; the rest are pure.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/credential_provider.h"
#include "auth/keyring.h"
#include "auth/provider_presets.h"
#include "auth/secret_source.h"
#include "common/reloading_value.h"

namespace pullguard::auth {

struct NodeCredentialSettings {
  std::string provider_config;  // the kubelet's CredentialProviderConfig file ("" none)
  std::string provider_bin_dir; // where its plugins are
  bool presets = true;          // the clouds' standard matchImages count as node-provided
  std::vector<ProviderPreset> providers;  // the policy's own: plugins nodes run that pullguard does not
};

struct NodeCredentialAnswer {
  std::vector<Credential> credentials;  // from the plugins that answered, in config order
  // The plugin a node pulls this image with ("" when no node plugin matches it): a configured
  // one (not one the kubelet skips for this pod), else a preset's or the policy's.
  std::string provider;
  // Why pullguard holds no working credential of the node's for it ("" when a plugin answered).
  std::string unverified_because;
};

// The pod's ServiceAccount, as the kubelet's per-pod keyring gives it to providers with
// tokenAttributes (KEP-4412, pkg/credentialprovider/plugin/plugin.go).
struct PodServiceAccount {
  std::string ns;
  std::string name;  // "" : the pod has none (a static pod)
  // What pullguard read of it; nullopt when it does not exist, or when `unreadable` says why
  // it is not known.
  std::optional<ServiceAccountInfo> account;
  std::string unreadable;  // "" when it was read (or found not to exist)
  // The pod's ServiceAccount token for an audience, asked for by a deadline, as the kubelet asks
  // the TokenRequest API for it; an error says why there is none. Null: pullguard asks for none
  // (the policy's nodeCredentials.serviceAccountTokens is off).
  std::function<Result<std::string>(const std::string& audience, std::chrono::steady_clock::time_point deadline)> token;
};

// What the kubelet does with a provider for a pod, before any token: provide() in plugin.go.
enum class TokenProviderUse {
  kNoTokenAttributes,      // not a KEP-4412 provider: run for the image alone
  kWithoutServiceAccount,  // the pod has none and requireServiceAccount is false: run without a token
  kReady,                  // run with the pod's token and the annotations it lists
  // The kubelet skips the provider for this pod (it gives no credentials; the pull goes on with
  // the other credentials, or anonymously):
  kNoServiceAccount,       // the pod has none, and requireServiceAccount is true
  kServiceAccountMissing,  // the ServiceAccount does not exist (getServiceAccount fails)
  kAnnotationMissing,      // a requiredServiceAccountAnnotationKeys key is not on it
  // pullguard cannot tell: the ServiceAccount could not be read, or its annotations are not known.
  kUnknown,
};

struct TokenProviderDecision {
  TokenProviderUse use = TokenProviderUse::kNoTokenAttributes;
  std::vector<std::string> missing_keys;           // kAnnotationMissing: in the config's order
  std::map<std::string, std::string> annotations;  // kReady: the required and optional keys it has
};

// `account` null: the pod is not known (kUnknown for a provider with tokenAttributes).
TokenProviderDecision DecideTokenProvider(const CredentialProviderSpec& spec, const PodServiceAccount* account);

// Does the provider pull with the pod's ServiceAccount (tokenAttributes with the v1 protocol)?
bool UsesServiceAccountToken(const CredentialProviderSpec& spec);

class NodeCredentials {
 public:
  // `image`: the name without tag or digest, normalized (docker.io/library/nginx), as the
  // kubelet passes it to plugins. `account`: the pod's ServiceAccount, for providers with
  // tokenAttributes; such a provider is run only with the pod's token (account->token), and is
  // unverified without one (and the providers the kubelet skips for this pod are not used).
  NodeCredentialAnswer For(const std::string& image, const NodeCredentialSettings& settings,
                           std::chrono::steady_clock::time_point deadline, const PodServiceAccount* account = nullptr);

  // The providers of the settings' CredentialProviderConfig whose matchImages match `image`, in
  // config order; none when there is no config or it does not load.
  std::vector<CredentialProviderSpec> Matching(const std::string& image, const NodeCredentialSettings& settings);

 private:
  // The providers of `path`, reloaded when it changes; null when it does not load.
  std::shared_ptr<CredentialProviders> ProvidersOf(const std::string& path, const std::string& bin_dir);

  std::mutex mutex_;
  std::string path_, bin_dir_;
  std::shared_ptr<ReloadingValue<CredentialProviders>> file_;
};

}  // namespace pullguard::auth

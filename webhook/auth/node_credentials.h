// NodeCredentials: the credentials a node's kubelet adds for an image after the pod's own, from
// its credential provider plugins (KEP-2133): the plugins of the kubelet's
// CredentialProviderConfig when pullguard has it (--image-credential-provider-config, reloaded
// when it changes), run from its bin dir; and, to know which images only the node can pull,
// the clouds' standard matchImages (provider_presets.h) and the policy's own list. The answer
// is facts: the credentials, which plugin the node would use, and why pullguard has none.
// Thread-safety: For() may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/credential_provider.h"
#include "auth/keyring.h"
#include "auth/provider_presets.h"
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
  // one, else a preset's or the policy's.
  std::string provider;
  // Why pullguard holds no working credential of the node's for it ("" when a plugin answered).
  std::string unverified_because;
};

class NodeCredentials {
 public:
  // `image`: the name without tag or digest, normalized (docker.io/library/nginx), as the
  // kubelet passes it to plugins.
  NodeCredentialAnswer For(const std::string& image, const NodeCredentialSettings& settings,
                           std::chrono::steady_clock::time_point deadline);

 private:
  // The providers of `path`, reloaded when it changes; null when it does not load.
  std::shared_ptr<CredentialProviders> ProvidersOf(const std::string& path, const std::string& bin_dir);

  std::mutex mutex_;
  std::string path_, bin_dir_;
  std::shared_ptr<ReloadingValue<CredentialProviders>> file_;
};

}  // namespace pullguard::auth

// The matchImages the clouds' standard credential provider plugins are configured with, to
// say which plugin a node would need for an image when no CredentialProviderConfig is given
// ("this ECR image needs ecr-credential-provider on the node").
// Thread-safety: immutable data and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pullguard::auth {

struct ProviderPreset {
  std::string name;  // the plugin's executable name
  std::vector<std::string> match_images;
};

// ecr-credential-provider, auth-provider-gcp, acr-credential-provider, in that order.
const std::vector<ProviderPreset>& BuiltinProviderPresets();

// The first preset one of whose matchImages matches `image` (a name without scheme, tag or
// digest), as the kubelet matches them (UrlsMatch); nullptr when none does.
const ProviderPreset* PresetMatching(std::string_view image);

}  // namespace pullguard::auth

// The kubelet's CredentialProviderConfig (--image-credential-provider-config, KEP-2133), read
// as the kubelet reads it (pkg/credentialprovider/plugin/config.go): kubelet.config.k8s.io/v1,
// v1beta1 or v1alpha1, YAML or JSON, decoded strictly (an unknown or repeated field is an
// error), then validated. Every error names its place: "FILE:LINE:COL: providers[0].name: ...".
// Values of args and env are never echoed in an error: they may hold secrets.
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace pullguard::auth {

// The request/response apiVersions a provider may be configured with.
inline constexpr std::string_view kCredentialProviderV1 = "credentialprovider.kubelet.k8s.io/v1";
inline constexpr std::string_view kCredentialProviderV1beta1 = "credentialprovider.kubelet.k8s.io/v1beta1";
inline constexpr std::string_view kCredentialProviderV1alpha1 = "credentialprovider.kubelet.k8s.io/v1alpha1";

// A response's cacheKeyType: what its credentials are cached under.
enum class CacheKeyType { kImage, kRegistry, kGlobal };

// tokenAttributes.cacheType (KEP-4412): credentials cached per token, or per service account.
enum class ServiceAccountTokenCacheType { kToken, kServiceAccount };

// KEP-4412: the kubelet passes the pod's service-account token (for this audience) and the
// listed annotations of its ServiceAccount to the plugin. Only with kubelet.config.k8s.io/v1
// and a credentialprovider.kubelet.k8s.io/v1 provider.
struct TokenAttributes {
  std::string service_account_token_audience;
  ServiceAccountTokenCacheType cache_type = ServiceAccountTokenCacheType::kToken;
  bool require_service_account = true;
  std::vector<std::string> required_service_account_annotation_keys;
  std::vector<std::string> optional_service_account_annotation_keys;
};

struct CredentialProviderSpec {
  std::string name;  // the executable's file name in the bin dir
  std::vector<std::string> match_images;
  std::chrono::nanoseconds default_cache_duration{0};
  std::string api_version;  // one of kCredentialProviderV1...
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // name, value; in file order
  std::optional<TokenAttributes> token_attributes;
};

struct CredentialProviderConfig {
  std::vector<CredentialProviderSpec> providers;  // in file order
};

// `source` names the text in errors (a path). YAML or JSON.
Result<CredentialProviderConfig> ParseCredentialProviderConfig(std::string_view text, std::string_view source);

// A file, or (as kubelets since 1.33 accept) a directory whose *.json, *.yaml and *.yml files
// are read in lexicographic order and merged; a provider name in two files is an error.
Result<CredentialProviderConfig> LoadCredentialProviderConfig(const std::string& path);

// Does one of the provider's matchImages match `image` (a name without scheme, tag or digest,
// e.g. "123.dkr.ecr.eu-west-1.amazonaws.com/shop/api")? The kubelet's isImageAllowed.
bool ProviderMatchesImage(const CredentialProviderSpec& spec, std::string_view image);

}  // namespace pullguard::auth

// CredentialProviders: the kubelet's exec credential provider plugins (KEP-2133, KEP-4412), as
// pkg/credentialprovider/plugin/plugin.go runs them. For an image one of its matchImages
// matches, a provider's plugin (BIN_DIR/NAME) is run with its args and env, is sent a
// CredentialProviderRequest on stdin and must answer a CredentialProviderResponse of the same
// apiVersion on stdout, decoded strictly. Its `auth` keys are matched against the image as
// keyring keys are (UrlsMatch). Answers are cached per provider under the image, its registry
// host or "global" (the response's cacheKeyType), for its cacheDuration (absent: the
// provider's defaultCacheDuration; 0: not cached); only successful answers are. Identical
// requests in flight run the plugin once (the kubelet's singleflight).
//
// Secrets: an answer's credentials are the plugin's; its failure text never holds anything
// the plugin printed (stdout may be credentials), nor the service-account token.
// Thread-safety: every method may be called from any thread at once. The `now` clock must be
// too.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credential_provider_config.h"
#include "auth/docker_config.h"
#include "auth/keyring.h"

namespace pullguard::auth {

struct ProviderRequest {
  // What the kubelet passes as the request's image: the pulled name without tag or digest,
  // normalized (parsers.ParseImageName's repoToPull: "docker.io/library/nginx",
  // "123.dkr.ecr.eu-west-1.amazonaws.com/shop/api").
  std::string image;
  // KEP-4412, used only by providers with tokenAttributes: the pod's ServiceAccount token for
  // the provider's audience (absent: the pod has no ServiceAccount), that ServiceAccount's
  // identity (a dimension of the cache key) and its annotations (only the keys the provider
  // lists are passed on).
  std::optional<std::string> service_account_token;
  std::string service_account_namespace;
  std::string service_account_name;
  std::string service_account_uid;
  std::map<std::string, std::string> service_account_annotations;
};

enum class ProviderFailure {
  kNone,
  kNotConfigured,           // no provider of that name here
  kImageNotMatched,         // none of its matchImages matches the image: not run
  kServiceAccountRequired,  // tokenAttributes.requireServiceAccount and no token: not run
  kAnnotationMissing,       // a requiredServiceAccountAnnotationKeys key is missing: not run
  kNotFound,                // no BIN_DIR/NAME
  kNotExecutable,
  kStartFailed,
  kExitNonZero,
  kSignaled,
  kTimedOut,                // killed at the deadline (or the run in flight outlived ours)
  kOutputTooLarge,
  kBadResponse,             // not JSON, wrong kind, unknown or repeated field, wrong type
  kWrongApiVersion,         // answered another apiVersion than the configured one
  kBadCacheKeyType,         // not Image, Registry or Global: the kubelet drops the answer
  kTokenEchoed,             // returned the service-account token as a password, cacheType not Token
};

struct ProviderAnswer {
  std::string provider;
  bool ok = false;
  bool from_cache = false;
  // The response's auth map, keys in sorted order.
  DockerConfig auth;
  // Those of its entries whose key matches the request's image, most specific key first;
  // source "credential provider NAME", identity left empty.
  std::vector<Credential> credentials;
  ProviderFailure failure = ProviderFailure::kNone;
  // Short and technical ("exited with status 1", "timed out after 2.0s"); safe to log.
  std::string failure_text;
};

class CredentialProviders {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  struct Options {
    Now now = [] { return std::chrono::steady_clock::now(); };  // the cache's clock
    size_t max_cache_entries = 4096;                            // per provider
    size_t max_output_bytes = 1 << 20;                          // a plugin's stdout
    // The kubelet's catch-all limit on one plugin run, whatever the caller's deadline.
    std::chrono::steady_clock::duration max_run_time = std::chrono::minutes(1);
  };

  // Plugins run from `bin_dir` + "/" + name.
  CredentialProviders(CredentialProviderConfig config, std::string bin_dir);
  CredentialProviders(CredentialProviderConfig config, std::string bin_dir, Now now);  // other options default
  CredentialProviders(CredentialProviderConfig config, std::string bin_dir, Options options);
  ~CredentialProviders();
  CredentialProviders(const CredentialProviders&) = delete;
  CredentialProviders& operator=(const CredentialProviders&) = delete;

  const CredentialProviderConfig& config() const { return config_; }

  // The providers whose matchImages match `image`, in config order.
  std::vector<const CredentialProviderSpec*> Matching(std::string_view image) const;

  // Credentials of the provider named spec.name for request.image, from the cache or a run of
  // its plugin that ends by `deadline`.
  ProviderAnswer Provide(const CredentialProviderSpec& spec, const ProviderRequest& request,
                         std::chrono::steady_clock::time_point deadline);

  // How many runs of the provider's plugin were begun, failed starts included (tests).
  size_t execs(const std::string& name) const;

 private:
  struct State;

  CredentialProviderConfig config_;
  std::string bin_dir_;
  Options options_;
  std::map<std::string, std::unique_ptr<State>, std::less<>> states_;  // by name; fixed after construction
};

}  // namespace pullguard::auth

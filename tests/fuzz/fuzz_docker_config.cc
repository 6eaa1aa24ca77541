// Pull secrets and docker configs: .dockerconfigjson, .dockercfg, and a Secret object as the
// API returns it, down to the kubelet's keyring and a lookup in it.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "auth/docker_config.h"
#include "auth/pull_secrets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)pullguard::auth::ParseDockerConfigJson(text);
  (void)pullguard::auth::ParseDockercfg(text);
  (void)pullguard::auth::DecodeAuthField(text);
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return 0;
  auto secret = pullguard::auth::PullSecretFromObject(json);
  if (!secret.ok()) return 0;
  (void)pullguard::auth::SecretProblem(*secret);
  auto keyring = pullguard::auth::KeyringFromPullSecrets({*secret});
  if (keyring.ok()) (void)keyring->Lookup("registry.local:5000/team/app");
  return 0;
}

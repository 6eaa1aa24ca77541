// Pull secrets the way the kubelet reads them (pkg/credentialprovider/secrets): a Secret counts
// when its type is kubernetes.io/dockerconfigjson with a non-empty .dockerconfigjson key, or
// kubernetes.io/dockercfg with a non-empty .dockercfg key; anything else is skipped. A counted
// secret that does not parse fails the whole pull, as in the kubelet.
// Thread-safety: value types and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/keyring.h"
#include "common/status.h"

namespace pullguard::auth {

inline constexpr const char* kDockerConfigJsonType = "kubernetes.io/dockerconfigjson";
inline constexpr const char* kDockercfgType = "kubernetes.io/dockercfg";

struct PullSecret {
  std::string ns;
  std::string name;
  std::string type;
  std::map<std::string, std::string> data;  // key -> decoded bytes
  std::string broken;  // why its data cannot be read ("data.x is not base64"), or ""

  std::string Source() const { return "secret " + (ns.empty() ? name : ns + "/" + name); }
};

// Why a secret gives the kubelet no credentials, or nullopt when it does.
std::optional<std::string> SecretProblem(const PullSecret& secret);

// The docker config inside a usable secret; InvalidArgument names what is wrong.
Result<DockerConfig> SecretDockerConfig(const PullSecret& secret);

// MakeDockerKeyring: the secrets' credentials, in order. Fails like the kubelet when a counted
// secret does not parse.
Result<Keyring> KeyringFromPullSecrets(const std::vector<PullSecret>& secrets);

// A Secret object (JSON, with base64 `data` or plain `stringData`) as a PullSecret. Fields of
// the wrong type are InvalidArgument (never an exception); a docker config secret with broken
// data comes back `broken`, and other secrets' data is not looked at.
Result<PullSecret> PullSecretFromObject(const nlohmann::json& secret);

// Every credential that applies to `image`: the pod's secrets first, then the node's (the
// kubelet's UnionDockerKeyring order).
struct CredentialSet {
  Keyring secrets;
  Keyring node;
  std::vector<Credential> Lookup(const std::string& image) const;
};

}  // namespace pullguard::auth

// Keyring: the kubelet's credential matching (pkg/credentialprovider/keyring.go). Keys are
// host globs with optional port and path ("*.gcr.io", "registry:5000/team"); a key matches an
// image when the host has as many labels and each label matches its glob, the ports are equal
// as strings, and the key's path is a string prefix of the image's. Every matching key's
// credentials are returned, most specific first (keys reverse-sorted); Docker Hub images fall
// back to the "index.docker.io" key.
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "auth/docker_config.h"

namespace pullguard::auth {

// A credential and where it came from, by name only ("secret shop/regcred").
struct Credential {
  Credential() = default;
  Credential(std::string user, std::string pass, std::string mail, std::string from)
      : username(std::move(user)), password(std::move(pass)), email(std::move(mail)), source(std::move(from)) {}

  std::string username;
  std::string password;
  std::string email;
  std::string source;
  // Identity(), computed once by Keyring::Add (empty: computed on demand).
  std::string identity;

  // A stable, non-reversible name for the secret material (cache keys, logs): never the
  // credential itself.
  std::string Identity() const;
};

// URLsMatchStr: does the credential key `glob` apply to `target` (both without scheme)?
bool UrlsMatch(const std::string& glob, const std::string& target);

// isDefaultRegistryMatch: will `image` (a name without tag) be pulled from Docker Hub?
bool IsDefaultRegistryMatch(const std::string& image);

class Keyring {
 public:
  // Adds every entry of `config`, tagged with `source`.
  void Add(const DockerConfig& config, const std::string& source);
  // Adds every credential of `other` after this one's (identities are not computed again).
  void Add(const Keyring& other);
  // Credentials for an image name such as "ghcr.io/org/app" or "docker.io/library/nginx".
  std::vector<Credential> Lookup(const std::string& image) const;
  bool empty() const { return index_.empty(); }

 private:
  std::vector<std::string> index_;  // reverse-sorted, unique
  std::map<std::string, std::vector<Credential>> creds_;
};

}  // namespace pullguard::auth

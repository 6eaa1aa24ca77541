// HostsDirectory: containerd's `certs.d` folder (config_path), as the nodes have it, read for
// each registry the way containerd finds its folder: REGISTRY with ":port" written "_port_",
// then REGISTRY as written, then `_default`. In the folder, hosts.toml (registry/hosts_toml.h);
// without one, the registry itself with the folder's *.crt files as extra CAs (Docker's
// layout). A hosts.toml that does not parse is logged, and the registry is asked directly with
// those *.crt files, as containerd does. Folders are re-read at most every few seconds, so a
// ConfigMap update is seen without a restart.
// Thread-safety: HostsFor() may be called from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/bounded_cache.h"
#include "common/status.h"
#include "registry/hosts.h"

namespace pullguard::registry {

class HostsDirectory {
 public:
  using Clock = std::chrono::steady_clock;
  explicit HostsDirectory(std::chrono::milliseconds recheck = std::chrono::seconds(5))
      : recheck_(recheck), entries_("hosts_folders", 1024) {}

  // The hosts for `registry` under `dir`; nullopt when `dir` has no folder for it (nor
  // `_default`): the caller's own settings apply. `upstream` is the registry itself (Docker
  // Hub's API host for docker.io), asked last unless `server` names another.
  std::optional<std::vector<RegistryHost>> HostsFor(const std::string& dir, const std::string& registry,
                                                    const RegistryHost& upstream);

 private:
  struct Entry {
    std::optional<std::vector<RegistryHost>> hosts;
    std::string problem;  // the last problem logged, logged again only when it changes
  };
  std::optional<std::vector<RegistryHost>> Load(const std::string& dir, const std::string& registry,
                                                const RegistryHost& upstream, std::string& problem) const;

  std::chrono::milliseconds recheck_;
  BoundedCache<Entry> entries_;  // by dir + "\n" + registry + "\n" + upstream key; registries are few
};

// containerd's folder names for a registry, in the order it looks: "host_port_" (when there is
// a port), the name as written, "_default".
std::vector<std::string> HostsFolderNames(const std::string& registry);

}  // namespace pullguard::registry

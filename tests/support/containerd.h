// Containerd: the judge of pullguard's verdicts. A real containerd (Debian's package) with its
// own root, state and socket in a temp dir, and `ctr` pulling through it the way the kubelet's
// runtime does: registries reached as hosts.toml says (the test CA, plain HTTP where a
// registry has no TLS), with the credential the kubelet would pass, for one platform.
// containerd needs root (CI runs as root); the constructor throws with its log otherwise.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace pullguard::testing {

struct PullOutcome {
  bool pulled = false;
  std::string output;                  // what ctr said (its error, when it failed)
  std::vector<std::string> platforms;  // of the pulled image, as `ctr images ls` shows them
};

class Containerd {
 public:
  Containerd();
  ~Containerd();

  // `host` (host:port) as containerd reaches it: https trusting `ca`, or plain http.
  void AddHost(const std::string& host, const std::string& ca, bool plain_http = false);
  // Writes a hosts.toml as the nodes have it (for mirror tests): `toml` verbatim.
  void SetHostsToml(const std::string& host, const std::string& toml);
  const std::string& hosts_dir() const { return hosts_dir_; }

  // ctr images pull --platform P [--user U:P]; bounded by `timeout`.
  PullOutcome Pull(const std::string& image, const std::string& platform, const std::string& user = "",
                   std::chrono::seconds timeout = std::chrono::seconds(20));

 private:
  std::vector<std::string> Ctr(std::vector<std::string> args) const;

  TempDir dir_;
  std::string socket_;
  std::string hosts_dir_;
  std::unique_ptr<Process> process_;
};

}  // namespace pullguard::testing

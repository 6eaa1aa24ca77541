// Where an image's registry is asked, in order: its mirrors, then the registry itself, as
// containerd's hosts configuration (hosts.toml) lists them. Docker Hub's API lives at
// registry-1.docker.io.
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pullguard::registry {

struct RegistryHost {
  std::string host;             // host[:port] asked: registry-1.docker.io, mirror.local:5000
  std::string scheme = "https";  // "http" for a registry without TLS
  std::string path = "/v2";     // the API's root; a mirror may serve it elsewhere (override_path)
  bool can_resolve = true;      // may answer for tags (containerd's "resolve" capability)
  bool can_pull = true;         // may serve manifests by digest ("pull")
  bool is_mirror = false;
  std::string ca_file;          // PEM trust for this host instead of the system's; "" = the system's
  // PEM certificates trusted besides the system's (hosts.toml `ca`, as containerd adds them
  // to the system pool), and the files they came from (for cache keys and messages).
  std::shared_ptr<const std::string> extra_ca_pem;
  std::string extra_ca_files;
  bool skip_verify = false;     // do not verify its certificate
  // The TLS client certificate presented to it (hosts.toml `client`, certs.d's *.cert), and its
  // key ("" when the key is in the certificate's file).
  std::string client_cert;
  std::string client_key;
  std::optional<std::chrono::milliseconds> dial_timeout;  // hosts.toml dial_timeout
  bool allow_private = false;   // may resolve to loopback, private or link-local addresses
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request to it

  std::string BaseUrl() const { return scheme + "://" + host + path; }
  // Everything that changes what this host answers, for cache keys.
  std::string Key() const;
};

// The registry itself as a host: https (http when insecure), Docker Hub's API host for docker.io.
RegistryHost UpstreamHost(const std::string& registry, bool insecure);

// The hosts that may answer for a reference: by tag only those that resolve; by digest
// those that pull. In order, mirrors first.
std::vector<const RegistryHost*> HostsFor(const std::vector<RegistryHost>& hosts, bool by_digest);

}  // namespace pullguard::registry

// containerd's registry host configuration, one `hosts.toml`, read the way containerd reads it
// (remotes/docker/config), so that pullguard asks the hosts the nodes ask, in their order:
//   server = "https://registry.example.com"          the registry itself, asked last; when
//                                                      absent, the image's registry
//   capabilities, ca, skip_verify, override_path,    the same keys at the top level apply to
//   [header]                                          `server`
//   [host."https://mirror.local:5000"]                hosts, in file order, before server
//     capabilities = ["pull", "resolve"]
//     ca = "ca.pem" | ["a.pem", "b.pem"]              relative to the file's folder; trusted
//                                                      besides the system roots
//     skip_verify = false
//     client = "both.pem" | ["both.pem"] | [["cert.pem", "key.pem"]]   TLS client certificates
//     dial_timeout = "10s"                            connect timeout (Go duration)
//     override_path = false                           true: the URL's path is the API root
//     [host."https://mirror.local:5000".header]
//       x-name = "value" | ["a", "b"]
// A URL without a scheme is https; a path that does not end in /v2 gets it (unless
// override_path). The TOML read is the subset these files use: tables, `key = value` with
// strings, arrays of strings (over several lines too), booleans, and comments; anything else
// is an error naming the line.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace pullguard::registry {

// One host as the file describes it; the CA files are paths, not yet read.
struct HostsTomlHost {
  std::string scheme;    // "" for the top level without `server` (the image's registry)
  std::string host;      // host[:port]
  std::string path;      // API root, e.g. /v2
  bool can_pull = true;
  bool can_resolve = true;
  std::vector<std::string> ca_files;  // absolute paths
  bool skip_verify = false;
  // Client certificate files and their keys (absolute; "": the key is in the certificate's file).
  std::vector<std::pair<std::string, std::string>> client_pairs;
  std::optional<std::chrono::milliseconds> dial_timeout;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The hosts of one hosts.toml, mirrors first, the server (or the registry itself) last.
// `folder` resolves relative CA paths.
Result<std::vector<HostsTomlHost>> ParseHostsToml(const std::string& text, const std::string& folder);

}  // namespace pullguard::registry

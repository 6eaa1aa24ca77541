#include "registry/hosts.h"

namespace pullguard::registry {

std::string RegistryHost::Key() const {
  std::string key = scheme + "://" + host + path + (can_resolve ? "|r" : "|-") + (can_pull ? "p" : "-") +
                    "|ca=" + ca_file + "|extra-ca=" + extra_ca_files + (skip_verify ? "|skip" : "") + (allow_private ? "|private" : "") +
                    (client_cert.empty() ? "" : "|client=" + client_cert + "," + client_key);
  for (const auto& [name, value] : headers) key += "|" + name + "=" + value;
  return key;
}

RegistryHost UpstreamHost(const std::string& registry, bool insecure) {
  RegistryHost h;
  h.host = (registry == "docker.io" || registry == "index.docker.io") ? "registry-1.docker.io" : registry;
  h.scheme = insecure ? "http" : "https";
  return h;
}

std::vector<const RegistryHost*> HostsFor(const std::vector<RegistryHost>& hosts, bool by_digest) {
  std::vector<const RegistryHost*> out;
  for (const auto& h : hosts) {
    if (by_digest ? h.can_pull : h.can_resolve) out.push_back(&h);
  }
  return out;
}

}  // namespace pullguard::registry

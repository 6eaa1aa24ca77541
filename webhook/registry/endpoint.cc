#include "registry/endpoint.h"

namespace pullguard::registry {

std::string Who(const Endpoint& endpoint) {
  if (!endpoint.settings.mirror.empty()) return "mirror " + endpoint.host;
  return "the registry";
}

Endpoint ResolveEndpoint(const std::string& registry, const EndpointSettings& settings) {
  Endpoint e;
  e.registry = registry;
  e.settings = settings;
  if (!settings.mirror.empty()) {
    e.host = settings.mirror;
  } else if (registry == "docker.io" || registry == "index.docker.io") {
    e.host = "registry-1.docker.io";
  } else {
    e.host = registry;
  }
  e.base_url = (settings.insecure ? "http://" : "https://") + e.host;
  return e;
}

}  // namespace pullguard::registry

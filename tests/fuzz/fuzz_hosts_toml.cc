// The nodes' hosts.toml files, as hostsDir reads them.
#include <cstdint>
#include <string>

#include "registry/hosts_toml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)pullguard::registry::ParseHostsToml(text, "/etc/containerd/certs.d/registry.local");
  return 0;
}

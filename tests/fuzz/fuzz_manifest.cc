// Registry JSON: image indexes, manifests and image configs, as the platform check reads them.
#include <cstdint>
#include <string>

#include "registry/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  (void)pullguard::registry::PlatformsOfIndex(body);
  (void)pullguard::registry::ConfigDigestOfManifest(body);
  (void)pullguard::registry::PlatformOfConfig(body);
  return 0;
}

// A registry with Bearer tokens from our token server, over TLS with its own CA: anonymous
// callers may pull public/ only; "pusher" may push; "reader" may pull. What the token-registry
// tests build on (registry_test's TokenRegistry, ecr_like_registry.h's EcrLikeRegistry).
#pragma once

#include <string>

#include "integration/registry_env.h"
#include "support/registry_server.h"
#include "support/temp_dir.h"
#include "support/token_server.h"

namespace pullguard::testing {

struct BearerRegistry {
  TempDir dir;
  std::string certs = MakeCerts(dir, "registry-certs");
  TokenServer tokens{certs + "/tls.crt", certs + "/tls.key", dir.path(), {{"pusher", "s3cret-pass"}, {"reader", "read-pass"}}};
  RegistryOptions options = [this] {
    RegistryOptions o;
    o.auth = RegistryAuth::kToken;
    o.token_server = &tokens;
    return o;
  }();
  RegistryServer registry{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", options};
};

}  // namespace pullguard::testing

// Policy files: every field, every error with its line and column.
#include <cstdint>
#include <string_view>

#include "policy/policy_yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = pullguard::policy::ParsePolicy(text, "fuzz.yaml");
  if (policy.ok()) {
    (void)policy->IsImageExempt("docker.io/library/nginx:1", "docker.io/library/nginx:1");
    (void)policy->SettingsFor("registry.local:5000");
  }
  return 0;
}

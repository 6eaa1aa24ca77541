#include "cli/credential_flags.h"

#include <filesystem>

#include "auth/credential_provider_config.h"

namespace pullguard::cli {

Status ApplyCredentialProviderFlags(const Args& args, checker::Checker& checker) {
  const bool config = args.Has("image-credential-provider-config");
  const bool bin_dir = args.Has("image-credential-provider-bin-dir");
  if (!config && !bin_dir) return Status::Ok();
  if (config != bin_dir) {
    return Status::InvalidArgument(
        "--image-credential-provider-config and --image-credential-provider-bin-dir go together (as the kubelet's)");
  }
  std::string path = args.Get("image-credential-provider-config");
  std::string dir = args.Get("image-credential-provider-bin-dir");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::InvalidArgument("--image-credential-provider-bin-dir " + dir + " is not a directory");
  }
  // Refused now, not at the first image it matches: a typo must not turn into warnings.
  auto loaded = auth::LoadCredentialProviderConfig(path);
  if (!loaded.ok()) return loaded.status();
  checker.SetCredentialProviderFlags(std::filesystem::absolute(path, ec).string(), std::filesystem::absolute(dir, ec).string());
  return Status::Ok();
}

}  // namespace pullguard::cli

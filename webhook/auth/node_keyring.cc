#include "auth/node_keyring.h"

#include "auth/docker_config.h"
#include "common/log.h"

namespace pullguard::auth {
namespace {

Result<std::shared_ptr<const Keyring>> LoadKeyring(const std::vector<std::string>& paths, bool) {
  const std::string& path = paths.front();
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1 << 20));
  // config.json ({"auths": ...}) first, then the legacy .dockercfg shape.
  auto config = ParseDockerConfigJson(text);
  if (!config.ok() || config->empty()) config = ParseDockercfg(text);
  if (!config.ok()) return Status::InvalidArgument(path + ": does not parse: " + config.status().message());
  auto keyring = std::make_shared<Keyring>();
  keyring->Add(config.value(), "node config " + path);
  return std::shared_ptr<const Keyring>(std::move(keyring));
}

const std::shared_ptr<const Keyring>& None() {
  static const auto none = std::make_shared<const Keyring>();
  return none;
}

}  // namespace

std::shared_ptr<const Keyring> NodeKeyring::Get(const std::string& path) {
  if (path.empty()) return None();
  std::shared_ptr<ReloadingValue<Keyring>> file;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (path != path_ || file_ == nullptr) {
      path_ = path;
      file_ = std::make_shared<ReloadingValue<Keyring>>("node docker config", std::vector<std::string>{path},
                                                         &LoadKeyring, recheck_);
      if (Status loaded = file_->Load(); !loaded.ok()) {
        Log(LogLevel::kWarn, "node docker config unusable; no node credentials until it changes",
            {{"path", path}, {"error", loaded.message()}});
      }
    }
    file = file_;
  }
  auto keyring = file->Fresh();
  return keyring ? keyring : None();
}

}  // namespace pullguard::auth

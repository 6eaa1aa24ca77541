#include "checker/node_keyring.h"

#include "auth/docker_config.h"
#include "common/log.h"

namespace pullguard::checker {

auth::Keyring NodeKeyring::Get(const std::string& path) {
  if (path.empty()) return {};
  std::lock_guard<std::mutex> lock(mutex_);
  auto fingerprint = Fingerprint(path);
  if (!fingerprint.ok()) {
    if (path_ != path || !(fingerprint_ == FileFingerprint{})) {
      Log(LogLevel::kWarn, "node docker config unreadable; no node credentials", {{"path", path}, {"error", fingerprint.status().message()}});
    }
    path_ = path;
    fingerprint_ = {};
    keyring_ = {};
    return keyring_;
  }
  if (path == path_ && fingerprint.value() == fingerprint_) return keyring_;
  path_ = path;
  fingerprint_ = fingerprint.value();
  keyring_ = {};
  auto text = ReadFile(path, 1 << 20);
  if (!text.ok()) return keyring_;
  // config.json ({"auths": ...}) first, then the legacy .dockercfg shape.
  auto config = auth::ParseDockerConfigJson(text.value());
  if (!config.ok() || config->empty()) config = auth::ParseDockercfg(text.value());
  if (!config.ok()) {
    Log(LogLevel::kWarn, "node docker config does not parse; no node credentials", {{"path", path}, {"error", config.status().message()}});
    return keyring_;
  }
  keyring_.Add(config.value(), "node config " + path);
  return keyring_;
}

}  // namespace pullguard::checker

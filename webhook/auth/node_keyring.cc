#include "auth/node_keyring.h"

#include "auth/docker_config.h"
#include "common/log.h"

namespace pullguard::auth {

std::shared_ptr<const Keyring> NodeKeyring::Load(const std::string& path, const Result<FileFingerprint>& fingerprint) {
  auto keyring = std::make_shared<Keyring>();
  if (!fingerprint.ok()) {
    Log(LogLevel::kWarn, "node docker config unreadable; no node credentials",
        {{"path", path}, {"error", fingerprint.status().message()}});
    return keyring;
  }
  auto text = ReadFile(path, 1 << 20);
  if (!text.ok()) return keyring;
  // config.json ({"auths": ...}) first, then the legacy .dockercfg shape.
  auto config = ParseDockerConfigJson(text.value());
  if (!config.ok() || config->empty()) config = ParseDockercfg(text.value());
  if (!config.ok()) {
    Log(LogLevel::kWarn, "node docker config does not parse; no node credentials",
        {{"path", path}, {"error", config.status().message()}});
    return keyring;
  }
  keyring->Add(config.value(), "node config " + path);
  return keyring;
}

std::shared_ptr<const Keyring> NodeKeyring::Get(const std::string& path) {
  static const auto kNone = std::make_shared<const Keyring>();
  if (path.empty()) return kNone;
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = Clock::now();
  if (path == path_ && now - checked_ < recheck_) return keyring_;
  checked_ = now;
  auto fingerprint = Fingerprint(path);
  FileFingerprint seen = fingerprint.ok() ? fingerprint.value() : FileFingerprint{};
  if (path == path_ && seen == fingerprint_) return keyring_;
  path_ = path;
  fingerprint_ = seen;
  keyring_ = Load(path, fingerprint);
  return keyring_;
}

}  // namespace pullguard::auth

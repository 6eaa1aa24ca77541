// NodeKeyring: the node-level docker config the policy names (the kubelet's config.json),
// re-read when the file changes. The file is looked at (stat) at most once per `recheck`, not
// on every review; a missing or broken file gives no credentials and is logged once.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "auth/keyring.h"
#include "common/file_watch.h"

namespace pullguard::auth {

class NodeKeyring {
 public:
  using Clock = std::chrono::steady_clock;
  explicit NodeKeyring(std::chrono::milliseconds recheck = std::chrono::seconds(1)) : recheck_(recheck) {}
  // The keyring of `path` ("" gives none).
  std::shared_ptr<const Keyring> Get(const std::string& path);

 private:
  std::shared_ptr<const Keyring> Load(const std::string& path, const Result<FileFingerprint>& fingerprint);

  std::chrono::milliseconds recheck_;
  std::mutex mutex_;
  std::string path_;
  FileFingerprint fingerprint_;
  Clock::time_point checked_;
  std::shared_ptr<const Keyring> keyring_ = std::make_shared<const Keyring>();
};

}  // namespace pullguard::auth

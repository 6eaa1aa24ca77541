// NodeKeyring: the node-level docker config the policy names (the kubelet's config.json),
// re-read when the file changes (a ReloadingValue, looked at no more than once per
// `recheck`). A file missing or broken at first gives no credentials (logged once); a file
// that breaks later keeps the credentials it gave.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "auth/keyring.h"
#include "common/reloading_value.h"

namespace pullguard::auth {

class NodeKeyring {
 public:
  explicit NodeKeyring(std::chrono::milliseconds recheck = std::chrono::seconds(1)) : recheck_(recheck) {}
  // The keyring of `path` ("" gives none).
  std::shared_ptr<const Keyring> Get(const std::string& path);

 private:
  std::chrono::milliseconds recheck_;
  std::mutex mutex_;
  std::string path_;
  std::shared_ptr<ReloadingValue<Keyring>> file_;
};

}  // namespace pullguard::auth

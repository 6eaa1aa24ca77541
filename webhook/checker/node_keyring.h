// NodeKeyring: the node-level docker config named in the policy (the kubelet's config.json),
// re-read when the file changes. A missing or broken file gives no credentials and is logged.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <mutex>
#include <string>

#include "auth/keyring.h"
#include "common/file_watch.h"

namespace pullguard::checker {

class NodeKeyring {
 public:
  auth::Keyring Get(const std::string& path);

 private:
  std::mutex mutex_;
  std::string path_;
  FileFingerprint fingerprint_;
  auth::Keyring keyring_;
};

}  // namespace pullguard::checker

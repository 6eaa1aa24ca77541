// PolicyStore: the policy in force, reloaded when its file changes. A ConfigMap mount swaps a
// symlink, so the file is compared by its resolved path, inode, size and mtime. A new file that
// does not load is logged and the old policy stays.
// Thread-safety: Current() and Reload() may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "common/file_watch.h"
#include "policy/policy.h"

namespace pullguard::policy {

class PolicyStore {
 public:
  // A store with a fixed policy and no file (tests, `check` without --policy).
  explicit PolicyStore(Policy policy);
  // Loads `path` now; fails when the first load fails.
  static Result<std::unique_ptr<PolicyStore>> Open(const std::string& path);

  std::shared_ptr<const Policy> Current() const;

  // Re-reads the file when it changed. Returns OK when nothing changed or the new policy is in
  // force; the load error otherwise (the old policy stays).
  Status ReloadIfChanged();

  // How many times a new policy came into force (0 for the first load).
  uint64_t generation() const { return generation_.load(); }
  const std::string& path() const { return path_; }

 private:
  PolicyStore(std::string path, Policy policy, FileFingerprint fingerprint);

  std::string path_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Policy> current_;
  FileFingerprint fingerprint_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace pullguard::policy

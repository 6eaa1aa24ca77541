// PolicyStore: the policy in force, reloaded when its file changes (a ReloadingValue: a
// ConfigMap's symlink swap counts as a change; a new file that does not load is logged and
// the old policy stays). An empty file is the built-in policy at start, but a file that
// becomes empty after a good one is a failed reload: a writer that truncates before it writes
// must not turn the real policy off for a moment.
// Thread-safety: Current() and ReloadIfChanged() may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "common/reloading_value.h"
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
  uint64_t generation() const { return file_ ? file_->generation() : 0; }
  const std::string& path() const;

 private:
  std::shared_ptr<const Policy> fixed_;
  std::unique_ptr<ReloadingValue<Policy>> file_;
};

}  // namespace pullguard::policy

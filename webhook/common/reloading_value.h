// ReloadingValue<T>: a value made from files (a policy, a certificate and its key, a docker
// config, a token), made again when any of them changes, the one way pullguard watches a file.
// Files are compared by fingerprint, so a ConfigMap or Secret mount's `..data` symlink swap
// counts as a change. A new version that does not load keeps the old value, is logged once
// (one line: "<what> reload failed; the previous one stays") and counted
// (pullguard_reloads_total{what,result}); a good one is logged once ("<what> reloaded").
// A file that cannot even be looked at (mid-swap it may vanish for an instant) changes
// nothing and says nothing until it is back.
// Thread-safety: every method may be called from any thread; Current() never blocks on a load.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/file_watch.h"
#include "common/status.h"

namespace pullguard {

// The log line and the metric, outside the template.
void ReportReload(const std::string& what, const std::string& path, const Status& result, uint64_t generation);

template <typename T>
class ReloadingValue {
 public:
  using Clock = std::chrono::steady_clock;
  // Makes the value from the files (the same paths, in order). `first` is true for the first
  // load only: a loader may refuse on reload what it accepts at start (an emptied file).
  using Loader = std::function<Result<std::shared_ptr<const T>>(const std::vector<std::string>& paths, bool first)>;

  // `recheck`: Fresh() looks at the files at most this often.
  ReloadingValue(std::string what, std::vector<std::string> paths, Loader load,
                 std::chrono::milliseconds recheck = std::chrono::seconds(1))
      : what_(std::move(what)), paths_(std::move(paths)), load_(std::move(load)), recheck_(recheck) {}

  // The first load. On an error there is no value (Current() is null) and the error says why.
  Status Load() {
    auto prints = Prints();
    if (!prints.ok()) return prints.status();
    auto value = load_(paths_, true);
    std::lock_guard<std::mutex> lock(mutex_);
    fingerprints_ = prints.value();
    checked_ = Clock::now();
    if (!value.ok()) return value.status();
    current_ = value.value();
    return Status::Ok();
  }

  std::shared_ptr<const T> Current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }

  // The current value, after looking at the files when `recheck` has passed since the last look.
  std::shared_ptr<const T> Fresh() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (Clock::now() - checked_ < recheck_) return current_;
      checked_ = Clock::now();
    }
    (void)ReloadIfChanged();
    return Current();
  }

  // Loads again when a file changed. OK when nothing changed or the new value is in force; the
  // error otherwise (the old value stays).
  Status ReloadIfChanged() {
    std::lock_guard<std::mutex> reload(reload_mutex_);  // one load at a time
    auto prints = Prints();
    if (!prints.ok()) return prints.status();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (prints.value() == fingerprints_) return Status::Ok();
    }
    auto value = load_(paths_, false);
    std::lock_guard<std::mutex> lock(mutex_);
    fingerprints_ = prints.value();  // a bad version is reported once, not at every look
    if (!value.ok()) {
      ReportReload(what_, paths_.front(), value.status(), generation_.load());
      return value.status();
    }
    current_ = value.value();
    ReportReload(what_, paths_.front(), Status::Ok(), ++generation_);
    return Status::Ok();
  }

  // How many times a new value came into force after the first.
  uint64_t generation() const { return generation_.load(); }
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  Result<std::vector<FileFingerprint>> Prints() const {
    std::vector<FileFingerprint> prints;
    for (const auto& p : paths_) {
      ASSIGN_OR_RETURN(FileFingerprint fp, Fingerprint(p));
      prints.push_back(std::move(fp));
    }
    return prints;
  }

  const std::string what_;
  const std::vector<std::string> paths_;
  const Loader load_;
  const std::chrono::milliseconds recheck_;
  std::mutex reload_mutex_;
  mutable std::mutex mutex_;
  std::shared_ptr<const T> current_;
  std::vector<FileFingerprint> fingerprints_;
  Clock::time_point checked_{};
  std::atomic<uint64_t> generation_{0};
};

}  // namespace pullguard

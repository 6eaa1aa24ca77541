#include "audit/leadership.h"

#include <algorithm>

#include "common/log.h"

namespace pullguard::audit {

std::chrono::milliseconds LeaderOptions::RenewDeadline() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(lease_duration) * 2 / 3;
}

std::chrono::milliseconds LeaderOptions::RetryPeriod() const {
  auto retry = std::chrono::duration_cast<std::chrono::milliseconds>(lease_duration) * 2 / 15;
  return std::max(retry, std::chrono::milliseconds(100));
}

Leadership::Leadership(kube::ApiClient& api, LeaderOptions options, std::function<void(bool)> on_change)
    : client_(api, options.ns, options.name),
      options_(std::move(options)),
      election_(options_.identity, options_.lease_duration),
      on_change_(std::move(on_change)) {}

Leadership::~Leadership() { Stop(); }

void Leadership::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

std::string Leadership::holder() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return holder_;
}

bool Leadership::WaitUntilLeading(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, timeout, [this] { return leading_.load() || stopping_; });
  return leading_.load();
}

void Leadership::SetLeading(bool leading) {
  bool was = leading_.exchange(leading);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (leading) holder_ = options_.identity;
  }
  cv_.notify_all();
  if (was == leading) return;
  Log(LogLevel::kInfo, leading ? "audit: leading" : "audit: no longer leading",
      {{"lease", options_.ns + "/" + options_.name}, {"identity", options_.identity}});
  if (on_change_) on_change_(leading);
}

bool Leadership::TryAcquireOrRenew() {
  auto got = client_.Get();
  if (!got.ok()) {
    Log(LogLevel::kWarn, "audit: cannot read the lease", {{"error", got.status().message()}});
    return false;
  }
  const std::optional<LeaseRecord>& current = got.value();
  LeaseElection::Step step = election_.Decide(current, std::chrono::steady_clock::now(), std::chrono::system_clock::now());
  if (step.action == LeaseElection::Action::kStandBy) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (holder_ != step.holder) {
      holder_ = step.holder;
      Log(LogLevel::kInfo, "audit: standing by", {{"lease", options_.ns + "/" + options_.name}, {"holder", step.holder}});
    }
    return false;
  }
  Result<LeaseRecord> written = step.action == LeaseElection::Action::kCreate ? client_.Create(step.write)
                                                                              : client_.Update(step.write);
  if (!written.ok()) {
    Log(LogLevel::kDebug, "audit: lease not written", {{"error", written.status().message()}});
    return false;
  }
  election_.Written(written.value(), std::chrono::steady_clock::now());
  return election_.IsLeader();
}

void Leadership::Run() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_renewed{};
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) break;
    }
    bool held = false;
    try {
      held = TryAcquireOrRenew();
    } catch (const std::exception& e) {
      Log(LogLevel::kWarn, "audit: lease round failed", {{"error", e.what()}});
    }
    Clock::time_point now = Clock::now();
    if (held) {
      last_renewed = now;
      SetLeading(true);
    } else if (leading_.load()) {
      // Someone else holds it now, or the renewals have failed for too long: another replica
      // may take over at a lease duration, so stop before it can.
      if (!election_.IsLeader() || now - last_renewed >= options_.RenewDeadline()) SetLeading(false);
    }
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, options_.RetryPeriod(), [this] { return stopping_; });
  }
  if (leading_.load() || election_.IsLeader()) {
    SetLeading(false);
    if (auto release = election_.Release(std::chrono::system_clock::now())) {
      auto done = client_.Update(*release);
      Log(done.ok() ? LogLevel::kInfo : LogLevel::kWarn, "audit: lease released",
          {{"lease", options_.ns + "/" + options_.name}, {"ok", done.ok()},
           {"error", done.ok() ? std::string() : done.status().message()}});
    }
  }
}

void Leadership::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    stopping_ = true;
    stopped_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pullguard::audit

// Leadership: one replica of `pullguard audit` audits at a time. A thread tries to acquire the
// Lease every retry period and, once it holds it, renews it as often (LeaseElection decides,
// LeaseClient writes). Holding it, the replica leads until a renewal has not succeeded for the
// renew deadline (shorter than the lease duration, so it stops before another replica may take
// over); another replica takes over once the record has not changed for a lease duration.
// Stop() hands the Lease back, so a standby takes over at its next try.
// Timings as client-go's defaults scale them: lease 15 s, renew deadline 10 s, retry 2 s.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "audit/lease_client.h"
#include "audit/lease_election.h"

namespace pullguard::audit {

struct LeaderOptions {
  std::string identity;  // this replica: its pod's name and a random suffix
  std::string ns = "pullguard-system";
  std::string name = "pullguard-audit";
  std::chrono::seconds lease_duration{15};

  // client-go's ratios: renew deadline 2/3, retry period 2/15 of the lease duration.
  std::chrono::milliseconds RenewDeadline() const;
  std::chrono::milliseconds RetryPeriod() const;
};

class Leadership {
 public:
  // `on_change(leading)` is called from the election thread when leadership starts or ends.
  Leadership(kube::ApiClient& api, LeaderOptions options, std::function<void(bool)> on_change = {});
  ~Leadership();
  Leadership(const Leadership&) = delete;
  Leadership& operator=(const Leadership&) = delete;

  void Start();
  // Stops trying and hands the Lease back when it is held. Idempotent.
  void Stop();

  bool leading() const { return leading_.load(); }
  // Waits until this replica leads, Stop() is called or `timeout` passes; returns leading().
  bool WaitUntilLeading(std::chrono::milliseconds timeout);
  // Who holds the Lease, as last seen ("" unknown).
  std::string holder() const;

 private:
  void Run();
  // One round: read the Lease and create, take over or renew it. True when we hold it after.
  bool TryAcquireOrRenew();
  void SetLeading(bool leading);

  LeaseClient client_;
  LeaderOptions options_;
  LeaseElection election_;  // touched by the election thread only (and Stop() after it ended)
  std::function<void(bool)> on_change_;
  std::atomic<bool> leading_{false};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::string holder_;
  std::thread thread_;
};

}  // namespace pullguard::audit

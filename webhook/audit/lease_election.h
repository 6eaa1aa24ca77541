// LeaseElection: the decisions of leader election over a Lease, as client-go's leaderelection
// package makes them (tryAcquireOrRenew, release), without I/O, on clocks given to it:
//  - no Lease: create one naming us (acquireTime = renewTime = now, leaseTransitions 0);
//  - a Lease another holder keeps renewing: stand by. Whether it is still held is judged by
//    when this process last saw the record change (the local clock), never by comparing the
//    holder's renewTime with our clock: clocks of two machines disagree;
//  - a Lease whose record has not changed for its leaseDurationSeconds, or whose holder is
//    empty (released): take it over (acquireTime = now, leaseTransitions + 1), as a
//    conditional update (its resourceVersion): of two replicas trying at once, one wins and
//    the other gets 409;
//  - our own Lease: renew it (renewTime = now; acquireTime and leaseTransitions kept);
//  - on shutdown, hand it back: holder "", leaseDurationSeconds 1, so a standby takes over
//    at its next try instead of after a whole lease duration.
// Thread-safety: none; one owner (the audit's Leadership).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "audit/lease_record.h"

namespace pullguard::audit {

class LeaseElection {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  LeaseElection(std::string identity, std::chrono::seconds duration);

  enum class Action {
    kCreate,   // POST `write`
    kUpdate,   // PUT `write` (it carries the resourceVersion read)
    kStandBy,  // `holder` holds it
  };
  struct Step {
    Action action = Action::kStandBy;
    LeaseRecord write;
    std::string holder;
  };

  // What to do, given the Lease as a GET returned it (nullopt: there is none), at `now` (the
  // local monotonic clock) and `wall` (the time written into the record).
  Step Decide(const std::optional<LeaseRecord>& current, SteadyTime now, WallTime wall);
  // A create or update succeeded: `written` (with the server's new resourceVersion) is the
  // record now.
  void Written(const LeaseRecord& written, SteadyTime now);
  // The record last observed names us.
  bool IsLeader() const;
  // The update that hands the Lease back, or nullopt when we do not hold it.
  std::optional<LeaseRecord> Release(WallTime wall) const;

  const std::string& identity() const { return identity_; }
  std::chrono::seconds duration() const { return duration_; }

 private:
  std::string identity_;
  std::chrono::seconds duration_;
  std::optional<LeaseRecord> observed_;  // the record as last read or written
  SteadyTime observed_at_{};             // when it last changed, on our clock
};

}  // namespace pullguard::audit

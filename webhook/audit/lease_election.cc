#include "audit/lease_election.h"

namespace pullguard::audit {

LeaseElection::LeaseElection(std::string identity, std::chrono::seconds duration)
    : identity_(std::move(identity)), duration_(duration) {}

LeaseElection::Step LeaseElection::Decide(const std::optional<LeaseRecord>& current, SteadyTime now, WallTime wall) {
  Step step;
  step.write.holder = identity_;
  step.write.duration_seconds = duration_.count();
  step.write.renew_time = wall;
  if (!current) {
    step.action = Action::kCreate;
    step.write.acquire_time = wall;
    step.write.transitions = 0;
    return step;
  }
  if (!observed_ || !(*observed_ == *current)) {
    observed_ = current;
    observed_at_ = now;
  }
  // The holder's own duration decides how long its silence is waited out.
  std::chrono::seconds held_for(current->duration_seconds > 0 ? current->duration_seconds : duration_.count());
  bool valid = observed_at_ + held_for > now;
  if (!current->holder.empty() && current->holder != identity_ && valid) {
    step.action = Action::kStandBy;
    step.holder = current->holder;
    return step;
  }
  step.action = Action::kUpdate;
  step.write.resource_version = current->resource_version;
  if (current->holder == identity_) {
    step.write.acquire_time = current->acquire_time ? current->acquire_time : std::optional<WallTime>(wall);
    step.write.transitions = current->transitions;
  } else {
    step.write.acquire_time = wall;
    step.write.transitions = current->transitions + 1;
  }
  return step;
}

void LeaseElection::Written(const LeaseRecord& written, SteadyTime now) {
  observed_ = written;
  observed_at_ = now;
}

bool LeaseElection::IsLeader() const { return observed_ && observed_->holder == identity_; }

std::optional<LeaseRecord> LeaseElection::Release(WallTime wall) const {
  if (!IsLeader()) return std::nullopt;
  LeaseRecord r;
  r.holder = "";
  r.duration_seconds = 1;
  r.acquire_time = wall;
  r.renew_time = wall;
  r.transitions = observed_->transitions;
  r.resource_version = observed_->resource_version;
  return r;
}

}  // namespace pullguard::audit

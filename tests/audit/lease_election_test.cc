// Leader election over a Lease (audit/lease_election.h, audit/lease_record.h), on a fake clock:
// the decisions client-go's leaderelection makes.
#include <catch2/catch.hpp>

#include "audit/lease_election.h"
#include "audit/lease_record.h"

namespace pullguard::audit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock::time_point;

const WallTime kWall0{seconds(1714564800)};  // 2024-05-01T12:00:00Z
const Steady kSteady0{seconds(1000)};

// A fake clock: both the local monotonic one and the wall clock advance together.
struct FakeClock {
  milliseconds elapsed{0};
  Steady now() const { return kSteady0 + elapsed; }
  WallTime wall() const { return kWall0 + elapsed; }
  void Advance(milliseconds d) { elapsed += d; }
};

// What the API server would store: the record with a new resourceVersion.
LeaseRecord Stored(LeaseRecord r, int version) {
  r.resource_version = std::to_string(version);
  return r;
}

TEST_CASE("lease: nobody has it: create it, holding it from now") {
  FakeClock clock;
  LeaseElection me("audit-a", seconds(15));
  auto step = me.Decide(std::nullopt, clock.now(), clock.wall());
  REQUIRE(step.action == LeaseElection::Action::kCreate);
  CHECK(step.write.holder == "audit-a");
  CHECK(step.write.duration_seconds == 15);
  CHECK(step.write.acquire_time == clock.wall());
  CHECK(step.write.renew_time == clock.wall());
  CHECK(step.write.transitions == 0);
  CHECK(step.write.resource_version.empty());
  CHECK_FALSE(me.IsLeader());  // not before the write succeeded
  me.Written(Stored(step.write, 1), clock.now());
  CHECK(me.IsLeader());
}

TEST_CASE("lease: the leader renews, keeping its acquire time and the transitions") {
  FakeClock clock;
  LeaseElection me("audit-a", seconds(15));
  LeaseRecord held = Stored(me.Decide(std::nullopt, clock.now(), clock.wall()).write, 1);
  held.transitions = 3;
  me.Written(held, clock.now());
  clock.Advance(milliseconds(2000));
  auto step = me.Decide(held, clock.now(), clock.wall());
  REQUIRE(step.action == LeaseElection::Action::kUpdate);
  CHECK(step.write.holder == "audit-a");
  CHECK(step.write.acquire_time == kWall0);
  CHECK(step.write.renew_time == clock.wall());
  CHECK(step.write.transitions == 3);
  CHECK(step.write.resource_version == "1");  // conditional on what was read
}

TEST_CASE("lease: another holder that keeps renewing is waited for, however old its renewTime looks") {
  FakeClock clock;
  LeaseElection me("audit-b", seconds(15));
  LeaseRecord theirs{"audit-a", 15, kWall0 - std::chrono::hours(24), kWall0 - std::chrono::hours(24), 0, "7"};
  // Its clock is a day behind ours: its renewTime means nothing here, only that it changes.
  for (int round = 0; round < 20; ++round) {
    auto step = me.Decide(theirs, clock.now(), clock.wall());
    REQUIRE(step.action == LeaseElection::Action::kStandBy);
    CHECK(step.holder == "audit-a");
    clock.Advance(milliseconds(2000));
    *theirs.renew_time += seconds(2);
    theirs.resource_version = std::to_string(8 + round);
  }
  CHECK_FALSE(me.IsLeader());
}

TEST_CASE("lease: a holder silent for its lease duration is taken over") {
  FakeClock clock;
  LeaseElection me("audit-b", seconds(15));
  LeaseRecord theirs{"audit-a", 10, kWall0, kWall0, 2, "7"};  // its own duration: 10 s
  CHECK(me.Decide(theirs, clock.now(), clock.wall()).action == LeaseElection::Action::kStandBy);
  clock.Advance(milliseconds(9999));
  CHECK(me.Decide(theirs, clock.now(), clock.wall()).action == LeaseElection::Action::kStandBy);
  clock.Advance(milliseconds(1));
  auto step = me.Decide(theirs, clock.now(), clock.wall());
  REQUIRE(step.action == LeaseElection::Action::kUpdate);
  CHECK(step.write.holder == "audit-b");
  CHECK(step.write.duration_seconds == 15);
  CHECK(step.write.acquire_time == clock.wall());
  CHECK(step.write.transitions == 3);
  CHECK(step.write.resource_version == "7");
}

TEST_CASE("lease: the record changing restarts the wait") {
  FakeClock clock;
  LeaseElection me("audit-b", seconds(15));
  LeaseRecord theirs{"audit-a", 15, kWall0, kWall0, 0, "7"};
  CHECK(me.Decide(theirs, clock.now(), clock.wall()).action == LeaseElection::Action::kStandBy);
  clock.Advance(seconds(14));
  theirs.resource_version = "8";  // renewed just in time
  CHECK(me.Decide(theirs, clock.now(), clock.wall()).action == LeaseElection::Action::kStandBy);
  clock.Advance(seconds(14));
  CHECK(me.Decide(theirs, clock.now(), clock.wall()).action == LeaseElection::Action::kStandBy);
  clock.Advance(seconds(1));
  CHECK(me.Decide(theirs, clock.now(), clock.wall()).action == LeaseElection::Action::kUpdate);
}

TEST_CASE("lease: a released lease (no holder) is taken at once") {
  FakeClock clock;
  LeaseElection me("audit-b", seconds(15));
  LeaseRecord released{"", 1, kWall0, kWall0, 4, "9"};
  auto step = me.Decide(released, clock.now(), clock.wall());
  REQUIRE(step.action == LeaseElection::Action::kUpdate);
  CHECK(step.write.holder == "audit-b");
  CHECK(step.write.transitions == 5);
}

TEST_CASE("lease: two replicas, one Lease: one leads, the other stands by, then takes over when it is handed back") {
  FakeClock clock;
  LeaseElection a("audit-a", seconds(15)), b("audit-b", seconds(15));
  // Both find none; both create; the API server stores the first and answers 409 to the second.
  auto step_a = a.Decide(std::nullopt, clock.now(), clock.wall());
  auto step_b = b.Decide(std::nullopt, clock.now(), clock.wall());
  REQUIRE(step_a.action == LeaseElection::Action::kCreate);
  REQUIRE(step_b.action == LeaseElection::Action::kCreate);
  LeaseRecord stored = Stored(step_a.write, 1);
  a.Written(stored, clock.now());
  CHECK(a.IsLeader());
  CHECK_FALSE(b.IsLeader());
  // The next rounds: a renews, b stands by.
  int version = 1;
  for (int round = 0; round < 10; ++round) {
    clock.Advance(seconds(2));
    auto renew = a.Decide(stored, clock.now(), clock.wall());
    REQUIRE(renew.action == LeaseElection::Action::kUpdate);
    stored = Stored(renew.write, ++version);
    a.Written(stored, clock.now());
    CHECK(b.Decide(stored, clock.now(), clock.wall()).action == LeaseElection::Action::kStandBy);
  }
  // b's update with an old resourceVersion would be a 409: what it read is what it writes on.
  // a hands it back on shutdown.
  auto release = a.Release(clock.wall());
  REQUIRE(release.has_value());
  CHECK(release->holder.empty());
  CHECK(release->duration_seconds == 1);
  CHECK(release->resource_version == stored.resource_version);
  CHECK(release->transitions == stored.transitions);
  stored = Stored(*release, ++version);
  a.Written(stored, clock.now());
  CHECK_FALSE(a.IsLeader());
  CHECK_FALSE(a.Release(clock.wall()).has_value());  // nothing to hand back now
  clock.Advance(milliseconds(100));
  auto take = b.Decide(stored, clock.now(), clock.wall());
  REQUIRE(take.action == LeaseElection::Action::kUpdate);
  CHECK(take.write.holder == "audit-b");
  CHECK(take.write.transitions == 1);
}

TEST_CASE("lease: the Lease object as the API reads and writes it") {
  LeaseRecord r{"audit-a", 15, kWall0 + milliseconds(123), kWall0 + std::chrono::microseconds(456789), 2, "77"};
  nlohmann::json lease = LeaseObject("pullguard-system", "pullguard-audit", r);
  CHECK(lease["apiVersion"] == "coordination.k8s.io/v1");
  CHECK(lease["kind"] == "Lease");
  CHECK(lease["metadata"]["name"] == "pullguard-audit");
  CHECK(lease["metadata"]["namespace"] == "pullguard-system");
  CHECK(lease["metadata"]["resourceVersion"] == "77");
  CHECK(lease["spec"]["holderIdentity"] == "audit-a");
  CHECK(lease["spec"]["leaseDurationSeconds"] == 15);
  CHECK(lease["spec"]["leaseTransitions"] == 2);
  CHECK(lease["spec"]["acquireTime"] == "2024-05-01T12:00:00.123000Z");
  CHECK(lease["spec"]["renewTime"] == "2024-05-01T12:00:00.456789Z");
  auto back = ReadLease(lease);
  REQUIRE(back.ok());
  CHECK(back.value() == r);
  r.resource_version.clear();
  CHECK_FALSE(LeaseObject("ns", "n", r)["metadata"].contains("resourceVersion"));
}

TEST_CASE("lease: times as Kubernetes writes them") {
  CHECK(ParseTime("2024-05-01T12:00:00Z") == kWall0);
  CHECK(ParseTime("2024-05-01T12:00:00.5Z") == kWall0 + milliseconds(500));
  CHECK(ParseTime("2024-05-01T14:00:00+02:00") == kWall0);
  CHECK(ParseTime("2024-05-01T11:30:00.000001-00:30") == kWall0 + std::chrono::microseconds(1));
  CHECK_FALSE(ParseTime("2024-05-01 12:00:00").has_value());
  CHECK_FALSE(ParseTime("2024-05-01T12:00:00").has_value());
  CHECK_FALSE(ParseTime("yesterday").has_value());
  CHECK(MicroTime(kWall0) == "2024-05-01T12:00:00.000000Z");
  // A Lease without spec is held by nobody.
  auto empty = ReadLease({{"metadata", {{"name", "x"}, {"resourceVersion", "3"}}}});
  REQUIRE(empty.ok());
  CHECK(empty->holder.empty());
  CHECK(empty->resource_version == "3");
  CHECK_FALSE(ReadLease("not a lease").ok());
}

}  // namespace
}  // namespace pullguard::audit

// A workload's pods grouped by cause, node platform and zone, and the one-line summary
// (diagnose/group.h).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "diagnose/group.h"

namespace pullguard::diagnose {
namespace {

constexpr const char* kAmd = "linux/amd64";
constexpr const char* kArm = "linux/arm64";

TEST_CASE("pods group by cause, platform and zone, failing groups first") {
  std::vector<PodOutcome> pods = {
      {"web-3", "n3", kArm, "b", Reason::kPlatformMismatch},
      {"web-1", "n1", kArm, "a", Reason::kPlatformMismatch},
      {"web-2", "n1", kArm, "a", Reason::kPlatformMismatch},
      {"web-4", "n4", kAmd, "a", std::nullopt},
      {"web-5", "", kAmd, "a", std::nullopt},  // not scheduled
      {"web-6", "n6", kAmd, "c", Reason::kTagNotFound},
  };
  auto groups = GroupPods(pods);
  REQUIRE(groups.size() == 4);
  // Reason order: TagNotFound comes before PlatformMismatch in common/reason.h.
  CHECK(groups[0].cause == Reason::kTagNotFound);
  CHECK(groups[1].cause == Reason::kPlatformMismatch);
  CHECK(groups[1].zone == "a");
  CHECK(groups[1].pods == std::vector<std::string>{"web-1", "web-2"});
  CHECK(groups[1].nodes == std::vector<std::string>{"n1"});
  CHECK(groups[2].cause == Reason::kPlatformMismatch);
  CHECK(groups[2].zone == "b");
  CHECK_FALSE(groups[3].cause.has_value());
  CHECK(groups[3].platform == kAmd);
  CHECK(groups[3].pods == std::vector<std::string>{"web-4", "web-5"});
  CHECK(groups[3].nodes == std::vector<std::string>{"n4"});
  CHECK(GroupPods({}).empty());
}

TEST_CASE("one line says where the pull fails and where it does not") {
  struct Case {
    const char* name;
    std::vector<PodOutcome> pods;
    const char* line;
  };
  const Case cases[] = {
      {"a platform the image lacks",
       {{"p1", "n1", kArm, "a", Reason::kPlatformMismatch},
        {"p2", "n2", kArm, "b", Reason::kPlatformMismatch},
        {"p3", "n3", kArm, "b", Reason::kPlatformMismatch},
        {"p4", "n4", kAmd, "a", std::nullopt},
        {"p5", "n5", kAmd, "b", std::nullopt}},
       "fails with PlatformMismatch on the 3 arm64 nodes (zone a, b), pulls on amd64"},
      {"everywhere",
       {{"p1", "n1", kAmd, "a", Reason::kTagNotFound},
        {"p2", "n2", kAmd, "b", Reason::kTagNotFound},
        {"p3", "n3", kArm, "a", Reason::kTagNotFound},
        {"p4", "n4", kArm, "b", Reason::kTagNotFound}},
       "fails with TagNotFound on all 4 nodes (amd64, arm64)"},
      {"one zone",
       {{"p1", "n1", kAmd, "c", Reason::kRegistryUnreachable},
        {"p2", "n2", kAmd, "c", Reason::kRegistryUnreachable},
        {"p3", "n3", kAmd, "a", std::nullopt},
        {"p4", "n4", kAmd, "b", std::nullopt},
        {"p5", "n5", kAmd, "b", std::nullopt}},
       "fails with RegistryUnreachable on 2 amd64 nodes (zone c), pulls in zone a, b"},
      {"nowhere",
       {{"p1", "n1", kAmd, "a", std::nullopt}, {"p2", "n2", kAmd, "a", std::nullopt}},
       "pulls on all 2 nodes"},
      {"nothing scheduled", {{"p1", "", kAmd, "", std::nullopt}, {"p2", "", "", "", Reason::kTagNotFound}}, ""},
      {"two causes, the widest first",
       {{"p1", "n1", kArm, "a", Reason::kPlatformMismatch},
        {"p2", "n2", kArm, "b", Reason::kPlatformMismatch},
        {"p3", "n3", kAmd, "a", Reason::kRateLimited},
        {"p4", "n4", kAmd, "b", std::nullopt}},
       "fails with PlatformMismatch on the 2 arm64 nodes (zone a, b); fails with RateLimited on 1 amd64 node "
       "(zone a), pulls on 1 node"},
      {"nodes are counted, not pods",
       {{"p1", "n1", kAmd, "a", Reason::kAuthRequired},
        {"p2", "n1", kAmd, "a", Reason::kAuthRequired},
        {"p3", "n2", kAmd, "a", Reason::kAuthRequired},
        {"p4", "n3", kAmd, "b", std::nullopt}},
       "fails with AuthRequired on 2 amd64 nodes (zone a), pulls in zone b"},
      {"an unknown platform says nothing of platforms",
       {{"p1", "n1", "", "a", Reason::kRegistryUnreachable}, {"p2", "n2", kAmd, "b", std::nullopt}},
       "fails with RegistryUnreachable on 1 node (zone a), pulls in zone b"},
      {"no zones known",
       {{"p1", "n1", kArm, "", Reason::kPlatformMismatch},
        {"p2", "n2", kAmd, "", std::nullopt},
        {"p3", "n3", kAmd, "", std::nullopt}},
       "fails with PlatformMismatch on the 1 arm64 node, pulls on amd64"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(SummarizeGroups(GroupPods(c.pods)) == c.line);
  }
}

}  // namespace
}  // namespace pullguard::diagnose

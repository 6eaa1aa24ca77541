// Platforms: parsing, and what a node runs, as containerd's platforms.Only decides it.
#include <catch2/catch.hpp>

#include "common/nodes.h"
#include "common/platform.h"

namespace pullguard {
namespace {

Platform P(const char* text) {
  auto p = Platform::Parse(text);
  REQUIRE(p);
  return *p;
}

TEST_CASE("platforms parse as os/arch[/variant] and nothing else") {
  CHECK(P("linux/arm/v7") == Platform{"linux", "arm", "v7"});
  CHECK(P("linux/amd64").ToString() == "linux/amd64");
  for (const char* bad : {"linux", "/amd64", "linux/", "linux/arm/", "linux/arm/v7/x", ""}) {
    INFO(bad);
    CHECK_FALSE(Platform::Parse(bad));
  }
}

TEST_CASE("what a node runs: its own platform, then what containerd falls back to") {
  struct Case {
    const char* image;
    const char* node;
    bool runs;
  };
  const Case cases[] = {
      {"linux/amd64", "linux/amd64", true},   {"linux/386", "linux/amd64", true},
      {"linux/arm64", "linux/amd64", false},  {"windows/amd64", "linux/amd64", false},
      {"linux/arm64", "linux/arm64", true},   {"linux/arm64/v8", "linux/arm64", true},
      {"linux/arm/v7", "linux/arm64", true},  {"linux/arm/v6", "linux/arm/v7", true},
      {"linux/arm/v7", "linux/arm/v6", false}, {"linux/arm/v7", "linux/arm/v7", true},
      {"linux/amd64/v3", "linux/amd64", true},
  };
  for (const auto& c : cases) {
    INFO(c.image << " on " << c.node);
    CHECK(P(c.image).RunsOn(P(c.node)) == c.runs);
  }
}

TEST_CASE("the nodes' platforms, each once, from their labels") {
  std::vector<NodeInfo> nodes{
      {"a", {{"kubernetes.io/os", "linux"}, {"kubernetes.io/arch", "arm64"}}, {}},
      {"b", {{"kubernetes.io/os", "linux"}, {"kubernetes.io/arch", "amd64"}}, {}},
      {"c", {{"kubernetes.io/os", "linux"}, {"kubernetes.io/arch", "amd64"}}, {}},
      {"d", {{"kubernetes.io/os", "linux"}}, {}},
  };
  auto platforms = PlatformsOfNodes(nodes);
  REQUIRE(platforms.size() == 2);
  CHECK(platforms[0].ToString() == "linux/amd64");
  CHECK(platforms[1].ToString() == "linux/arm64");
}

}  // namespace
}  // namespace pullguard

// ParseImage: the kubelet's reading of an image, plus pullguard's uppercase-host rule.
#include <catch2/catch.hpp>

#include "reference/image.h"

namespace pullguard::reference {
namespace {

TEST_CASE("images normalize the way the kubelet pulls them") {
  struct Case {
    const char* written;
    const char* normalized;
    const char* registry;
    const char* pull_reference;
    bool uses_latest;
  };
  const Case cases[] = {
      {"nginx", "docker.io/library/nginx:latest", "docker.io", "latest", true},
      {"nginx:1.25", "docker.io/library/nginx:1.25", "docker.io", "1.25", false},
      {"index.docker.io/team/app:2", "docker.io/team/app:2", "docker.io", "2", false},
      {"localhost/app", "localhost/app:latest", "localhost", "latest", true},
      {"localhost:5000/app:latest", "localhost:5000/app:latest", "localhost:5000", "latest", true},
      {"ghcr.io/org/app:v1@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582",
       "ghcr.io/org/app@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582", "ghcr.io",
       "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582", false},
      {"[::1]:5000/app:1", "[::1]:5000/app:1", "[::1]:5000", "1", false},
  };
  for (const auto& c : cases) {
    INFO(c.written);
    auto got = ParseImage(c.written);
    REQUIRE(got.ok());
    CHECK(got->Normalized() == c.normalized);
    CHECK(got->registry() == c.registry);
    CHECK(got->PullReference() == c.pull_reference);
    CHECK(got->UsesLatest() == c.uses_latest);
  }
}

TEST_CASE("regression: an uppercase single-label first component is a registry host, as upstream says") {
  // distribution/reference lists Docker/docker as valid: the kubelet sends the pull to host
  // "Docker". The checker tells the user what that means; the parser follows the grammar.
  auto got = ParseImage("Team/app:1");
  REQUIRE(got.ok());
  CHECK(got->registry() == "Team");
  CHECK(got->repository() == "app");
  // A real host keeps its case rules: uppercase in the host is fine, in the path it is not.
  CHECK(ParseImage("Registry.Example.com/team/app:1").ok());
  auto path_upper = ParseImage("registry.example.com/Team/worker:1.0");
  REQUIRE_FALSE(path_upper.ok());
  CHECK(path_upper.error().kind == ErrorKind::kNameContainsUppercase);
}

TEST_CASE("empty, huge and ID-like images are refused with their own words") {
  auto empty = ParseImage("");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().Explanation() == "the image is empty");
  auto huge = ParseImage(std::string(kMaxImageLength + 1, 'a'));
  REQUIRE_FALSE(huge.ok());
  CHECK_THAT(huge.error().Explanation(), Catch::Contains("more than 4096"));
  auto id = ParseImage(std::string(64, 'a'));
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().kind == ErrorKind::kNameIsIdentifier);
}

TEST_CASE("sha512 digests are accepted and their length is checked") {
  CHECK(ParseImage("app@sha512:" + std::string(128, 'a')).ok());
  auto short_digest = ParseImage("app@sha512:" + std::string(64, 'a'));
  REQUIRE_FALSE(short_digest.ok());
  CHECK(short_digest.error().kind == ErrorKind::kChecksumInvalidLength);
  CHECK_THAT(short_digest.error().Explanation(), Catch::Contains("sha512 has 128 hex characters, not 64"));
}

}  // namespace
}  // namespace pullguard::reference

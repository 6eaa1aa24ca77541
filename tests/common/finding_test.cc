#include <catch2/catch.hpp>

#include "common/finding.h"

namespace pullguard {
namespace {

TEST_CASE("a finding renders as one line: path, image, reason, detail, fix") {
  Finding f;
  f.path = "spec.containers[0].image";
  f.image = "Team/app:1";
  f.reason = Reason::kInvalidReference;
  f.detail = "repository name must be lowercase";
  CHECK(FormatFinding(f) == "spec.containers[0].image \"Team/app:1\": InvalidReference: repository name must be lowercase");
  f.fix = "write \"team/app:1\"";
  CHECK(FormatFinding(f) ==
        "spec.containers[0].image \"Team/app:1\": InvalidReference: repository name must be lowercase; write \"team/app:1\"");
}

}  // namespace
}  // namespace pullguard

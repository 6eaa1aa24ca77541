// Suggestions: the nearest tags, and typos of Docker Hub's official images.
#include <catch2/catch.hpp>

#include "checker/suggestions.h"

namespace pullguard::checker {
namespace {

TEST_CASE("the nearest tags: the newest of the same line and flavour, then the closest spelling") {
  const std::vector<std::string> tags{"1.24.0", "1.25.4", "1.25.5", "1.26.0", "latest", "1.25.3-alpine", "1.25.5-alpine", "mainline"};
  CHECK(NearestTags("1.25.99", tags) == std::vector<std::string>{"1.25.5", "1.25.4"});
  CHECK(NearestTags("v1.25.9", tags)[0] == "1.25.5");
  CHECK(NearestTags("1.25-alpine", tags)[0] == "1.25.5-alpine");
  CHECK(NearestTags("latests", tags)[0] == "latest");
  CHECK(NearestTags("mainlin", tags, 1) == std::vector<std::string>{"mainline"});
  CHECK(NearestTags("1.25.99", {}).empty());
  CHECK(NearestTags("something-else-entirely", {"1.0", "2.0"}).empty());  // nothing close: no noise
}

TEST_CASE("Docker Hub typos of official images, and only of those") {
  CHECK(OfficialImageTypo("library/ngnix") == "nginx");
  CHECK(OfficialImageTypo("library/postgress") == "postgres");
  CHECK(OfficialImageTypo("library/redis").empty());          // it exists
  CHECK(OfficialImageTypo("library/myapp").empty());          // not close to one
  CHECK(OfficialImageTypo("acme/ngnix").empty());             // not an official name
  CHECK(EditDistance("kitten", "sitting", 10) == 3);
  CHECK(EditDistance("a", "abcdefgh", 3) == 4);  // stops at its limit
}

}  // namespace
}  // namespace pullguard::checker

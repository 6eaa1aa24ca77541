#include <catch2/catch.hpp>

#include "admission/response.h"

namespace pullguard::admission {
namespace {

Finding Make(const std::string& image, const std::string& detail, const std::string& fix) {
  Finding f;
  f.path = "spec.containers[0].image";
  f.image = image;
  f.reason = Reason::kRateLimited;
  f.detail = detail;
  f.fix = fix;
  return f;
}

TEST_CASE("warnings past the API server's 256 characters drop the fix, and never lose their detail") {
  Finding short_one = Make("nginx:1.25", "429 from docker.io", "retry later");
  CHECK(FormatWarning(short_one) == FormatFinding(short_one));
  Finding long_fix = Make("nginx:1.25", "429 from docker.io", std::string(200, 'f'));
  CHECK(FormatWarning(long_fix) == "spec.containers[0].image \"nginx:1.25\": RateLimited: 429 from docker.io");
  Finding long_detail = Make("nginx:1.25", "429 from the registry, ratelimit-remaining 0;w=21600 " + std::string(200, 'd'),
                             "retry later");
  std::string w = FormatWarning(long_detail);
  CHECK_THAT(w, Catch::EndsWith(long_detail.detail));
  CHECK(w.find("retry later") == std::string::npos);
  // The path, image and reason are never cut, even when that means more than 120.
  Finding long_image = Make("registry.example.com/" + std::string(150, 'a') + ":1", "x", "");
  CHECK_THAT(FormatWarning(long_image), Catch::Contains(long_image.image));
}

TEST_CASE("regression: a warning keeps its fix while the line fits the API server's bound") {
  // NodeCredentialsUnverified's detail always passes 120 characters, so its pointer to
  // docs/node-credentials.md never reached kubectl.
  Finding f = Make("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4",
                   "pulled with the node's credentials (ecr-credential-provider); not verified", "see docs/node-credentials.md");
  REQUIRE(FormatFinding(f).size() > kMaxWarningLength);
  REQUIRE(FormatFinding(f).size() <= kApiServerWarningBound);
  CHECK(FormatWarning(f) == FormatFinding(f));
  // A list in the fix is still shortened first when that brings the line within 120.
  Finding list = Make("nginx:1.25", "tag 1.25 not found", "nearest: 1.25.5, 1.25.4, 1.25.3, 1.25.2, 1.25.1, 1.25.0");
  REQUIRE(FormatFinding(list).size() > kMaxWarningLength);
  CHECK(FormatWarning(list).size() <= kMaxWarningLength);
  CHECK_THAT(FormatWarning(list), Catch::Contains("nearest: 1.25.5"));
}

TEST_CASE("responses echo version and uid, denials are 403 with one line each") {
  policy::Verdict verdict;
  verdict.denials = {Make("a", "one", ""), Make("b", "two", "")};
  verdict.warnings = {Make("c", "three", "")};
  auto doc = BuildResponse("admission.k8s.io/v1beta1", "u-1", verdict);
  CHECK(doc["apiVersion"] == "admission.k8s.io/v1beta1");
  CHECK(doc["response"]["uid"] == "u-1");
  CHECK(doc["response"]["allowed"] == false);
  CHECK(doc["response"]["status"]["code"] == 403);
  CHECK(doc["response"]["status"]["message"] ==
        "spec.containers[0].image \"a\": RateLimited: one\nspec.containers[0].image \"b\": RateLimited: two");
  CHECK(doc["response"]["warnings"].size() == 1);
  auto allowed = BuildAllowed("admission.k8s.io/v1", "u-2");
  CHECK(allowed["response"] == nlohmann::json{{"uid", "u-2"}, {"allowed", true}});
}

}  // namespace
}  // namespace pullguard::admission

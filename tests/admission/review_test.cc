// DecodeReview on what the API server sends: every field the check reads, nothing it does not
// (metadata and status of the objects are never built), numbers beyond 64 bits, the depth
// limit at its exact boundary, and duplicate keys resolved as before (the last wins).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "admission/review.h"

namespace pullguard::admission {
namespace {

using nlohmann::json;

std::string Data(const std::string& name) {
  std::ifstream in(std::string(PULLGUARD_TEST_DATA) + "/admissionreview/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Review(const std::string& object) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",)"
         R"("kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"shop","operation":"CREATE","object":)" +
         object + "}}";
}

TEST_CASE("a real kube-apiserver review: the fields the check reads, without metadata and status") {
  auto update = DecodeReview(Data("kube-apiserver-1.26/007-deployment-update.json"));
  REQUIRE(update.ok());
  CHECK(update->api_version == "admission.k8s.io/v1");
  CHECK(update->kind.group == "apps");
  CHECK(update->kind.kind == "Deployment");
  CHECK(update->operation == "UPDATE");
  CHECK_FALSE(update->uid.empty());
  CHECK_FALSE(update->ns.empty());
  REQUIRE(update->object.is_object());
  CHECK(update->object.contains("spec"));
  CHECK(update->object["spec"]["template"]["spec"]["containers"].is_array());
  CHECK_FALSE(update->object.contains("metadata"));  // managedFields, annotations: never built
  CHECK_FALSE(update->object.contains("status"));
  REQUIRE(update->old_object.is_object());
  CHECK(update->old_object.contains("spec"));
  auto dry = DecodeReview(Data("kube-apiserver-1.26/001-pod-create-dryrun.json"));
  REQUIRE(dry.ok());
  CHECK(dry->dry_run);
  CHECK(dry->old_object.is_null());
}

TEST_CASE("integers beyond 64 bits are read as numbers, not refused") {
  auto big = DecodeReview(Review(R"({"spec":{"terminationGracePeriodSeconds":1180591620717411303424,"containers":[]}})"));
  REQUIRE(big.ok());
  CHECK(big->object["spec"]["terminationGracePeriodSeconds"].is_number_float());
  auto negative = DecodeReview(Review(R"({"spec":{"x":-99999999999999999999999}})"));
  CHECK(negative.ok());
}

TEST_CASE("200 nested levels pass, 201 do not, on both parsers") {
  auto nested = [](int levels) {  // the review itself and its request are 2 levels
    return Review(std::string(levels - 2, '[') + std::string(levels - 2, ']'));
  };
  CHECK(DecodeReview(nested(200)).ok());
  auto deep = DecodeReview(nested(201));
  REQUIRE_FALSE(deep.ok());
  CHECK_THAT(deep.status().message(), Catch::Contains("nests deeper than 200"));
  // With a number only nlohmann reads, the depth is checked before it parses.
  auto big_nested = [](int levels) {
    return Review("[" + std::string(levels - 3, '[') + std::string(levels - 3, ']') + ",1180591620717411303424]");
  };
  CHECK(DecodeReview(big_nested(200)).ok());
  auto fallback = DecodeReview(big_nested(201));
  REQUIRE_FALSE(fallback.ok());
  CHECK_THAT(fallback.status().message(), Catch::Contains("nests deeper than 200"));
}

TEST_CASE("a key given twice: the last one wins, as it did") {
  auto twice = DecodeReview(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"first","uid":"second",)"
                            R"("kind":{"kind":"Pod"},"operation":"CREATE","namespace":"a","namespace":"b"}})");
  REQUIRE(twice.ok());
  CHECK(twice->uid == "second");
  CHECK(twice->ns == "b");
}

}  // namespace
}  // namespace pullguard::admission

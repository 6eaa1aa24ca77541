// One set of pod specs through every kind adapter: the findings are the same, only the
// field-path prefix differs.
#include <catch2/catch.hpp>
#include <fstream>

#include "admission/workload.h"

namespace pullguard::admission {
namespace {

using nlohmann::json;

struct KindCase {
  std::string group, kind, prefix;
};

const std::vector<KindCase>& Kinds() {
  static const std::vector<KindCase> kinds{
      {"", "Pod", "spec"},
      {"", "PodTemplate", "template.spec"},
      {"", "ReplicationController", "spec.template.spec"},
      {"apps", "Deployment", "spec.template.spec"},
      {"apps", "ReplicaSet", "spec.template.spec"},
      {"apps", "StatefulSet", "spec.template.spec"},
      {"apps", "DaemonSet", "spec.template.spec"},
      {"batch", "Job", "spec.template.spec"},
      {"batch", "CronJob", "spec.jobTemplate.spec.template.spec"},
  };
  return kinds;
}

// Wraps a pod spec the way `kind` holds it.
json Wrap(const KindCase& k, const json& pod_spec) {
  json object = {{"kind", k.kind}, {"metadata", {{"name", "x"}}}};
  json* node = &object;
  std::string prefix = k.prefix;
  size_t start = 0;
  while (true) {
    size_t dot = prefix.find('.', start);
    std::string key = prefix.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*node)[key] = pod_spec;
      break;
    }
    node = &(*node)[key];
    start = dot + 1;
  }
  return object;
}

json PodSpecs() {
  std::ifstream in(std::string(PULLGUARD_TEST_DATA) + "/pod-specs.json");
  return json::parse(in);
}

TEST_CASE("every kind adapter adds only its prefix to the one pod-spec walk") {
  const json specs = PodSpecs();
  REQUIRE(specs.size() >= 4);
  for (const auto& k : Kinds()) {
    for (const auto& spec_case : specs) {
      INFO(k.kind << " / " << spec_case["name"].get<std::string>());
      auto images = ImagesOfObject(k.group, k.kind, Wrap(k, spec_case["spec"]));
      REQUIRE(images.ok());
      const json& expected = spec_case["images"];
      REQUIRE(images->size() == expected.size());
      for (size_t i = 0; i < expected.size(); ++i) {
        CHECK((*images)[i].path == k.prefix + "." + expected[i]["path"].get<std::string>());
        CHECK((*images)[i].image == expected[i]["image"].get<std::string>());
      }
    }
  }
}

TEST_CASE("the adapters cover exactly the kinds DESIGN.md names") {
  std::vector<std::string> expected;
  for (const auto& k : Kinds()) expected.push_back(k.group + "/" + k.kind);
  CHECK(KindsWithPodSpec() == expected);
  CHECK_FALSE(LocatePodSpec("", "ConfigMap").has_value());
  CHECK_FALSE(LocatePodSpec("apps", "Pod").has_value());  // the group matters
}

TEST_CASE("a workload without its pod spec names the missing field") {
  auto images = ImagesOfObject("apps", "Deployment", json{{"kind", "Deployment"}, {"spec", {{"replicas", 1}}}});
  REQUIRE_FALSE(images.ok());
  CHECK(images.status().message() == "spec.template is missing");
}

}  // namespace
}  // namespace pullguard::admission

// One set of pod specs through every kind adapter: the findings are the same, only the
// field-path prefix differs.
#include <catch2/catch.hpp>
#include <fstream>

#include "workload/kinds.h"
#include "workload/pod_spec.h"

namespace pullguard::workload {
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
}  // namespace pullguard::workload

namespace pullguard::workload {
namespace {

using nlohmann::json;

TEST_CASE("where the pod may land: nodeName, nodeSelector, required node affinity and tolerations are decoded") {
  json spec = json::parse(R"({
    "containers": [{"name": "a", "image": "nginx:1.25"}],
    "nodeName": "n1",
    "nodeSelector": {"pool": "web"},
    "affinity": {"nodeAffinity": {
      "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64", "amd64"]}]},
        {"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["n9"]}]}]},
      "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {}}]}},
    "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoExecute"},
                    {"operator": "Exists"}]
  })");
  auto decoded = DecodePodSpec(spec, "spec");
  REQUIRE(decoded.ok());
  const Placement& p = decoded->placement;
  CHECK(p.node_name == "n1");
  CHECK(p.node_selector.at("pool") == "web");
  REQUIRE(p.required_terms.has_value());
  REQUIRE(p.required_terms->size() == 2);
  CHECK((*p.required_terms)[0].match_expressions[0].values == std::vector<std::string>{"arm64", "amd64"});
  CHECK((*p.required_terms)[1].match_fields[0].op == "NotIn");
  REQUIRE(p.tolerations.size() == 2);
  CHECK(p.tolerations[0].effect == "NoExecute");
  CHECK(p.tolerations[1].key.empty());

  // No affinity at all is not an empty one (which matches no node).
  auto plain = DecodePodSpec(json::parse(R"({"containers": [], "affinity": {"podAntiAffinity": {}}})"), "spec");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->placement.required_terms.has_value());
}

TEST_CASE("a placement field of the wrong shape is an error naming the field") {
  auto error = [](const char* text) {
    auto decoded = DecodePodSpec(json::parse(text), "spec.template.spec");
    REQUIRE_FALSE(decoded.ok());
    return decoded.status().message();
  };
  CHECK(error(R"({"tolerations": {"key": "a"}})") == "spec.template.spec.tolerations must be a list");
  CHECK(error(R"({"tolerations": [{"operator": "Maybe"}]})") == "spec.template.spec.tolerations[0].operator must be Equal or Exists");
  CHECK(error(R"({"affinity": {"nodeAffinity": []}})") == "spec.template.spec.affinity.nodeAffinity must be an object");
  CHECK(error(R"({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
              {"matchExpressions": [{"key": "a", "operator": "Near"}]}]}}}})") ==
        "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
        ".matchExpressions[0].operator must be In, NotIn, Exists, DoesNotExist, Gt or Lt");
  CHECK(error(R"({"nodeName": 7})") == "spec.template.spec.nodeName must be a string");
}

}  // namespace
}  // namespace pullguard::workload

// What the audit lists and keeps (audit/workload.h): kinds in order, owned and finished objects
// skipped, the pod spec alone at its place, each image's container.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "audit/workload.h"

namespace pullguard::audit {
namespace {

using nlohmann::json;

json Meta(const std::string& name, const json& owners = nullptr) {
  json meta = {{"name", name}, {"namespace", "shop"}, {"uid", name + "-uid"}, {"resourceVersion", "42"},
               {"managedFields", json::array({{{"manager", "kubectl"}}})}};
  if (!owners.is_null()) meta["ownerReferences"] = owners;
  return meta;
}

json PodSpec() {
  return {{"initContainers", {{{"name", "init"}, {"image", "busybox:1.36"}}}},
          {"containers", {{{"name", "app"}, {"image", "ghcr.io/acme/app:1.0"}}, {{"name", "side"}, {"image", "nginx"}}}},
          {"volumes", {{{"name", "data"}, {"image", {{"reference", "ghcr.io/acme/data:1"}}}}, {{"name", "empty"}, {"emptyDir", json::object()}}}}};
}

const AuditedKind& Kind(const char* name) {
  const AuditedKind* k = FindAuditedKind(name);
  REQUIRE(k != nullptr);
  return *k;
}

TEST_CASE("audit: CronJobs are listed first, bare Pods last") {
  const auto& kinds = AuditedKinds();
  REQUIRE(kinds.size() == 7);
  CHECK(std::string(kinds.front().kind) == "CronJob");
  CHECK(std::string(kinds.back().kind) == "Pod");
  CHECK(std::string(Kind("Deployment").api_prefix) == "/apis/apps/v1");
  CHECK(std::string(Kind("Pod").api_prefix) == "/api/v1");
  CHECK(FindAuditedKind("ReplicationController") == nullptr);
}

TEST_CASE("audit: a Deployment keeps its identity, its pod spec alone and each image's container") {
  json item = {{"metadata", Meta("web")},
               {"spec", {{"replicas", 3}, {"template", {{"metadata", {{"labels", {{"app", "web"}}}}}, {"spec", PodSpec()}}}}},
               {"status", {{"replicas", 3}}}};
  ReadItem read = ReadWorkload(Kind("Deployment"), item);
  REQUIRE(read.skip == Skip::kNone);
  REQUIRE(read.error.empty());
  const Workload& w = read.workload;
  CHECK(w.Key() == "Deployment/shop/web");
  CHECK(w.group == "apps");
  CHECK(w.api_version == "apps/v1");
  CHECK(w.uid == "web-uid");
  CHECK(w.resource_version == "42");
  // Only the pod spec, at its place: no metadata, status, replicas or labels.
  CHECK(w.object == json{{"spec", {{"template", {{"spec", PodSpec()}}}}}});
  REQUIRE(w.containers.size() == 4);
  CHECK(w.containers[0].path == "spec.template.spec.initContainers[0].image");
  CHECK(w.containers[0].container == "init");
  CHECK(w.containers[1].container == "app");
  CHECK(w.containers[1].image == "ghcr.io/acme/app:1.0");
  CHECK(w.containers[2].container == "side");
  CHECK(w.containers[3].path == "spec.template.spec.volumes[0].image.reference");
  CHECK(w.containers[3].container == "volume/data");
}

TEST_CASE("audit: a CronJob keeps its schedule, and a suspended one is skipped") {
  json item = {{"metadata", Meta("nightly")},
               {"spec", {{"schedule", "0 3 * * *"},
                         {"jobTemplate", {{"spec", {{"template", {{"spec", PodSpec()}}}}}}}}}};
  ReadItem read = ReadWorkload(Kind("CronJob"), item);
  REQUIRE(read.skip == Skip::kNone);
  CHECK(read.workload.schedule == "0 3 * * *");
  CHECK(read.workload.time_zone.empty());
  item["spec"]["timeZone"] = "Europe/Berlin";
  CHECK(ReadWorkload(Kind("CronJob"), item).workload.time_zone == "Europe/Berlin");
  CHECK(read.workload.containers.at(1).path == "spec.jobTemplate.spec.template.spec.containers[0].image");
  item["spec"]["suspend"] = true;
  CHECK(ReadWorkload(Kind("CronJob"), item).skip == Skip::kSuspended);
}

TEST_CASE("audit: ReplicaSets, Jobs and Pods with an owner are their owner's, and finished ones pull nothing") {
  json owner = json::array({{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}, {"uid", "d"}, {"controller", true}}});
  json template_spec = {{"template", {{"spec", PodSpec()}}}};
  CHECK(ReadWorkload(Kind("ReplicaSet"), {{"metadata", Meta("web-5d8f", owner)}, {"spec", template_spec}}).skip == Skip::kOwned);
  CHECK(ReadWorkload(Kind("ReplicaSet"), {{"metadata", Meta("lone")}, {"spec", template_spec}}).skip == Skip::kNone);
  CHECK(ReadWorkload(Kind("Job"), {{"metadata", Meta("nightly-1", owner)}, {"spec", template_spec}}).skip == Skip::kOwned);
  json done = {{"metadata", Meta("migrate")}, {"spec", template_spec},
               {"status", {{"conditions", {{{"type", "Complete"}, {"status", "True"}}}}}}};
  CHECK(ReadWorkload(Kind("Job"), done).skip == Skip::kFinished);
  done["status"]["conditions"][0]["status"] = "False";
  CHECK(ReadWorkload(Kind("Job"), done).skip == Skip::kNone);
  CHECK(ReadWorkload(Kind("Pod"), {{"metadata", Meta("web-5d8f-x", owner)}, {"spec", PodSpec()}}).skip == Skip::kOwned);
  CHECK(ReadWorkload(Kind("Pod"), {{"metadata", Meta("once")}, {"spec", PodSpec()}, {"status", {{"phase", "Succeeded"}}}}).skip ==
        Skip::kFinished);
  ReadItem bare = ReadWorkload(Kind("Pod"), {{"metadata", Meta("debug")}, {"spec", PodSpec()}, {"status", {{"phase", "Running"}}}});
  REQUIRE(bare.skip == Skip::kNone);
  CHECK(bare.workload.containers.at(1).path == "spec.containers[0].image");
  // A Deployment with an owner (an operator's) is audited: its template is its own.
  CHECK(ReadWorkload(Kind("Deployment"), {{"metadata", Meta("op", owner)}, {"spec", template_spec}}).skip == Skip::kNone);
  CHECK(SkipName(Skip::kOwned) == "owned");
}

TEST_CASE("audit: a pod spec that does not decode names the field, with the identity kept") {
  json item = {{"metadata", Meta("broken")}, {"spec", {{"template", {{"spec", {{"containers", "nope"}}}}}}}};
  ReadItem read = ReadWorkload(Kind("StatefulSet"), item);
  CHECK(read.skip == Skip::kNone);
  CHECK(read.error == "spec.template.spec.containers must be a list");
  CHECK(read.workload.Key() == "StatefulSet/shop/broken");
  ReadItem missing = ReadWorkload(Kind("DaemonSet"), {{"metadata", Meta("empty")}});
  CHECK(missing.error == "spec is missing");
}

}  // namespace
}  // namespace pullguard::audit

// N workloads over M images cost M checks (audit/distinct_images.h): distinct by the image as
// the kubelet pulls it and by the credentials each workload would use.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "audit/distinct_images.h"

namespace pullguard::audit {
namespace {

using nlohmann::json;

// A Deployment in `ns` with one container per image.
Workload Deployment(const std::string& ns, const std::string& name, const std::vector<std::string>& images,
                    const std::vector<std::string>& secrets = {}, const std::string& account = "") {
  json containers = json::array();
  for (size_t i = 0; i < images.size(); ++i) containers.push_back({{"name", "c" + std::to_string(i)}, {"image", images[i]}});
  json spec = {{"containers", containers}};
  if (!account.empty()) spec["serviceAccountName"] = account;
  if (!secrets.empty()) {
    spec["imagePullSecrets"] = json::array();
    for (const auto& s : secrets) spec["imagePullSecrets"].push_back({{"name", s}});
  }
  json item = {{"metadata", {{"namespace", ns}, {"name", name}, {"uid", name}}}, {"spec", {{"template", {{"spec", spec}}}}}};
  ReadItem read = ReadWorkload(*FindAuditedKind("Deployment"), item);
  REQUIRE(read.error.empty());
  return read.workload;
}

TEST_CASE("audit: the image as the kubelet pulls it") {
  CHECK(NormalizedImage("nginx") == "docker.io/library/nginx:latest");
  CHECK(NormalizedImage("docker.io/library/nginx:1.25") == "docker.io/library/nginx:1.25");
  CHECK(NormalizedImage("index.docker.io/library/nginx:1.25") == "docker.io/library/nginx:1.25");
  CHECK(NormalizedImage("ghcr.io/acme/app:1.0@sha256:" + std::string(64, 'a')) == "ghcr.io/acme/app@sha256:" + std::string(64, 'a'));
  CHECK(NormalizedImage("registry.example.com/Team/worker:1.0") == "registry.example.com/Team/worker:1.0");  // does not parse
}

TEST_CASE("audit: 1,000 workloads over 50 images in one namespace are 50 checks") {
  std::vector<Workload> workloads;
  for (int i = 0; i < 1000; ++i) {
    workloads.push_back(Deployment("shop", "w" + std::to_string(i),
                                   {"registry.example.com/team/app" + std::to_string(i % 50) + ":1.0", "nginx:1.25"}));
  }
  ImageDemand demand = CountDistinctImages(workloads);
  CHECK(demand.image_uses == 2000);
  CHECK(demand.images.size() == 51);
  CHECK(demand.checks.size() == 51);
  // Each check lists the workloads it answers for.
  size_t uses = 0;
  for (const auto& c : demand.checks) uses += c.workloads.size();
  CHECK(uses == 2000);
  CHECK(demand.checks.back().image == "registry.example.com/team/app49:1.0");
  CHECK(demand.checks[1].image == "docker.io/library/nginx:1.25");
  CHECK(demand.checks[1].workloads.size() == 1000);
}

TEST_CASE("audit: written differently, pulled the same: one check") {
  std::vector<Workload> workloads{Deployment("shop", "a", {"nginx"}), Deployment("shop", "b", {"docker.io/library/nginx:latest"}),
                                  Deployment("shop", "c", {"index.docker.io/library/nginx"}),
                                  Deployment("shop", "d", {"nginx", "nginx:latest"})};
  ImageDemand demand = CountDistinctImages(workloads);
  CHECK(demand.image_uses == 5);
  CHECK(demand.images.size() == 1);
  REQUIRE(demand.checks.size() == 1);
  CHECK(demand.checks[0].workloads == std::vector<size_t>{0, 1, 2, 3});  // d once, though it names it twice
}

TEST_CASE("audit: the same image with other credentials is another check") {
  std::vector<Workload> workloads{
      Deployment("shop", "a", {"ghcr.io/acme/app:1"}),
      Deployment("shop", "b", {"ghcr.io/acme/app:1"}, {"ghcr"}),
      Deployment("shop", "c", {"ghcr.io/acme/app:1"}, {"other", "ghcr", "ghcr"}),
      Deployment("shop", "d", {"ghcr.io/acme/app:1"}, {"ghcr", "other"}),   // the same set as c
      Deployment("shop", "e", {"ghcr.io/acme/app:1"}, {}, "builder"),        // another ServiceAccount's secrets
      Deployment("shop", "f", {"ghcr.io/acme/app:1"}, {}, "default"),        // as a
      Deployment("billing", "g", {"ghcr.io/acme/app:1"}),                    // another namespace's
  };
  ImageDemand demand = CountDistinctImages(workloads);
  CHECK(demand.images.size() == 1);
  REQUIRE(demand.checks.size() == 5);
  CHECK(demand.checks[0].workloads == std::vector<size_t>{0, 5});
  CHECK(demand.checks[0].service_account == "default");
  CHECK(demand.checks[1].pull_secrets == std::vector<std::string>{"ghcr"});
  CHECK(demand.checks[2].pull_secrets == std::vector<std::string>{"ghcr", "other"});
  CHECK(demand.checks[2].workloads == std::vector<size_t>{2, 3});
  CHECK(demand.checks[3].service_account == "builder");
  CHECK(demand.checks[4].ns == "billing");
}

TEST_CASE("audit: imagePullPolicy Never pulls nothing, so it needs no check") {
  json item = {{"metadata", {{"namespace", "shop"}, {"name", "p"}}},
               {"spec", {{"containers", {{{"name", "a"}, {"image", "local/tool:1"}, {"imagePullPolicy", "Never"}},
                                         {{"name", "b"}, {"image", "nginx:1"}}}}}}};
  ReadItem read = ReadWorkload(*FindAuditedKind("Pod"), item);
  REQUIRE(read.error.empty());
  ImageDemand demand = CountDistinctImages({read.workload});
  CHECK(demand.image_uses == 2);
  CHECK(demand.never_pulled == 1);
  REQUIRE(demand.checks.size() == 1);
  CHECK(demand.checks[0].image == "docker.io/library/nginx:1");
  CHECK(demand.checks[0].service_account.empty());  // a Pod's secrets are in its spec already
}

}  // namespace
}  // namespace pullguard::audit

// `pullguard audit`, one cycle over a large cluster, on 127.0.0.1:
//  (i) 10,000 generated Deployments in 20 namespaces sharing 500 images (tags of a real
//      docker-registry behind a counting front), listed from the fake Kubernetes API in pages
//      of 500: registry requests (the distinct images, not the workloads), wall time and the
//      peak memory of `pullguard audit --once -o json`;
//  (j) the same cycle with audit.checksPerSecond: 100, to show the pacing: about 500 / 100 s.
//   pullguard_audit_bench [WORKLOADS] [IMAGES]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "integration/registry_env.h"
#include "support/fake_api_server.h"
#include "support/image_fixtures.h"
#include "support/process.h"
#include "support/registry_front.h"
#include "support/registry_server.h"

using namespace pullguard::testing;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

struct Cycle {
  RunResult run;
  double seconds = 0;
  json report;
  int requests = 0;  // at the front, during this run
};

Cycle RunOnce(const std::string& kubeconfig, const std::string& policy, const RegistryFront& front) {
  Cycle c;
  int before = front.requests();
  auto start = Clock::now();
  c.run = Run({PULLGUARD_BINARY, "audit", "--once", "-o", "json", "--kubeconfig", kubeconfig, "--policy", policy,
               "--page-size", "500"},
              "", std::chrono::seconds(600));
  c.seconds = Seconds(Clock::now() - start);
  c.requests = front.requests() - before;
  c.report = json::parse(c.run.out, nullptr, false);
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const int workloads = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int images = argc > 2 ? std::atoi(argv[2]) : 500;
  if (workloads <= 0 || images <= 0) {
    std::cerr << "usage: pullguard_audit_bench [WORKLOADS] [IMAGES]\n";
    return 2;
  }
  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  RegistryServer registry(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  RegistryFront front(certs + "/tls.crt", certs + "/tls.key", registry.host(), certs + "/ca.crt");
  // One real image, under IMAGES tags (the same manifest: one push of its blobs).
  PushSingle(registry, "bench/app", "t0", "linux/amd64");
  httplib::Client client("https://" + registry.host());
  client.set_ca_cert_path((certs + "/ca.crt").c_str());
  client.enable_server_certificate_verification(true);
  httplib::Headers accept{{"Accept", kDockerManifest}};
  auto manifest = client.Get("/v2/bench/app/manifests/t0", accept);
  if (!manifest || manifest->status != 200) {
    std::cerr << "cannot read the fixture's manifest back\n";
    return 1;
  }
  for (int i = 1; i < images; ++i) registry.PushManifest("bench/app", "t" + std::to_string(i), manifest->body, kDockerManifest);

  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api(api_certs + "/tls.crt", api_certs + "/tls.key", "tok");
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("token", "tok")));
  const int kNamespaces = 20;
  for (int n = 0; n < kNamespaces; ++n) api.AddServiceAccount("team-" + std::to_string(n), "default", {});
  for (int i = 0; i < workloads; ++i) {
    std::string ns = "team-" + std::to_string(i % kNamespaces);
    std::string image = front.host() + "/bench/app:t" + std::to_string(i % images);
    const std::string name = "w" + std::to_string(i);
    json container = {{"name", "app"}, {"image", image}};
    container["resources"]["requests"]["cpu"] = "10m";
    json pod_spec = {{"containers", json::array({container})}};
    json labels = {{"app", name}};
    json deployment = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}};
    deployment["metadata"] = {{"namespace", ns}, {"name", name}, {"uid", "uid-" + std::to_string(i)}};
    deployment["spec"]["replicas"] = 2;
    deployment["spec"]["selector"]["matchLabels"] = labels;
    deployment["spec"]["template"]["metadata"]["labels"] = labels;
    deployment["spec"]["template"]["spec"] = pod_spec;
    api.AddObject(deployment);
  }
  const std::string registries = "registries:\n  - host: \"127.0.0.1:*\"\n    caFile: " + certs +
                                 "/ca.crt\n    allowPrivateAddress: true\nplatformsFromNodes: false\nplatforms: []\n";
  std::string fast = dir.Write("fast.yaml", registries + "audit:\n  checksPerSecond: 10000\n");
  std::string paced = dir.Write("paced.yaml", registries + "audit:\n  checksPerSecond: 100\n");

  Cycle c = RunOnce(kubeconfig, fast, front);
  if (c.run.exit_code != 0 || !c.report.is_object()) {
    std::cerr << "audit failed (exit " << c.run.exit_code << "): " << c.run.err.substr(0, 2000) << "\n";
    return 1;
  }
  std::cout << "(i) " << workloads << " workloads over " << images << " images: audit --once " << c.seconds << " s, "
            << c.report["workloads"] << " workloads checked, " << c.report["images"] << " distinct images, "
            << c.report["registryChecks"] << " registry checks, " << c.requests << " registry requests ("
            << static_cast<double>(c.requests) / workloads << " per workload), " << api.list_pages("deployments")
            << " list pages, peak memory " << c.run.max_rss_kb / 1024 << " MB\n";

  Cycle p = RunOnce(kubeconfig, paced, front);
  if (p.run.exit_code != 0 || !p.report.is_object()) {
    std::cerr << "paced audit failed (exit " << p.run.exit_code << "): " << p.run.err.substr(0, 2000) << "\n";
    return 1;
  }
  std::cout << "(j) the same at checksPerSecond 100: " << p.seconds << " s for " << p.requests << " registry requests ("
            << p.requests / std::max(p.seconds, 0.001) << " per second; the first 100 are a burst)\n";
  return c.requests == images && p.requests == images ? 0 : 1;
}

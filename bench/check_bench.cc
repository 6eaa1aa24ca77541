// `pullguard check` in CI, measured against what a pipeline would otherwise script, in the same
// run, on 127.0.0.1:
//  (f) 200 distinct images in a folder of manifests: `pullguard check` against a shell loop of
//      `skopeo inspect --raw` (one manifest GET each) and a loop of `curl -I` (one HEAD each);
//  (g) files per second over a generated tree of 5,000 manifest files (offline), and the peak
//      memory of the run.
//   pullguard_check_bench
#include <chrono>
#include <filesystem>
#include <iostream>

#include "integration/registry_env.h"
#include "support/image_fixtures.h"
#include "support/process.h"
#include "support/registry_server.h"

using namespace pullguard::testing;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string Pod(const std::string& name, const std::vector<std::string>& images) {
  std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: bench}\nspec:\n  containers:\n";
  for (size_t i = 0; i < images.size(); ++i) pod += "    - {name: c" + std::to_string(i) + ", image: \"" + images[i] + "\"}\n";
  return pod;
}

}  // namespace

int main() {
  const int kImages = 200;
  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  RegistryServer registry(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  std::vector<std::string> images;
  for (int i = 0; i < kImages; ++i) {
    PushSingle(registry, "bench/many", "t" + std::to_string(i), "linux/amd64");
    images.push_back(registry.host() + "/bench/many:t" + std::to_string(i));
  }
  std::filesystem::create_directories(dir.File("manifests"));
  for (int f = 0; f < 50; ++f) {  // 50 files, 4 containers each
    std::vector<std::string> four(images.begin() + f * 4, images.begin() + f * 4 + 4);
    dir.Write("manifests/pod" + std::to_string(f) + ".yaml", Pod("p" + std::to_string(f), four));
  }
  std::string policy = dir.Write("policy.yaml", "registries:\n  - host: \"127.0.0.1:*\"\n    caFile: " + certs +
                                                    "/ca.crt\n    allowPrivateAddress: true\nplatforms: []\n"
                                                    "rules:\n  latestTag: {action: ignore}\n");
  std::filesystem::create_directories(dir.File("skopeo-certs"));
  std::filesystem::copy_file(certs + "/ca.crt", dir.File("skopeo-certs/ca.crt"));

  auto start = Clock::now();
  RunResult check = Run({PULLGUARD_BINARY, "check", "-f", dir.File("manifests"), "--policy", policy}, "", std::chrono::seconds(120));
  double check_s = Seconds(Clock::now() - start);
  if (check.exit_code != 0) {
    std::cerr << "check failed: " << check.out << check.err << "\n";
    return 1;
  }
  std::string loop;
  for (const auto& image : images) loop += "skopeo inspect --raw --cert-dir " + dir.File("skopeo-certs") + " docker://" + image + " >/dev/null || exit 1\n";
  start = Clock::now();
  RunResult skopeo = Run({"sh", "-c", loop}, "", std::chrono::seconds(300));
  double skopeo_s = Seconds(Clock::now() - start);
  std::string curls;
  for (int i = 0; i < kImages; ++i) {
    curls += "curl -fsS -o /dev/null -I --cacert " + certs + "/ca.crt -H 'Accept: application/vnd.oci.image.manifest.v1+json, "
             "application/vnd.docker.distribution.manifest.v2+json' https://" + registry.host() + "/v2/bench/many/manifests/t" +
             std::to_string(i) + " || exit 1\n";
  }
  start = Clock::now();
  RunResult curl = Run({"sh", "-c", curls}, "", std::chrono::seconds(300));
  double curl_s = Seconds(Clock::now() - start);
  std::cout << "(f) 200 images in 50 files: pullguard check " << check_s << " s; a skopeo inspect loop " << skopeo_s
            << " s (exit " << skopeo.exit_code << "), ratio " << check_s / skopeo_s << "; a curl -I loop " << curl_s
            << " s (exit " << curl.exit_code << "), ratio " << check_s / curl_s << "\n";

  // (g) a large tree, offline: the reader and the grammar.
  const int kFiles = 5000;
  for (int f = 0; f < kFiles; ++f) {
    std::string sub = "tree/d" + std::to_string(f % 50);
    std::filesystem::create_directories(dir.File(sub));
    std::string deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d" + std::to_string(f) +
                             "}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n"
                             "    spec:\n      containers:\n        - {name: a, image: \"ghcr.io/acme/app" + std::to_string(f % 97) +
                             ":1." + std::to_string(f % 13) + "\"}\n        - {name: b, image: \"nginx:1.25\"}\n---\n"
                             "apiVersion: v1\nkind: Service\nmetadata: {name: s" + std::to_string(f) + "}\nspec: {ports: [{port: 80}]}\n";
    dir.Write(sub + "/f" + std::to_string(f) + ".yaml", deployment);
  }
  start = Clock::now();
  RunResult tree = Run({PULLGUARD_BINARY, "check", "--offline", "-f", dir.File("tree")}, "", std::chrono::seconds(300));
  double tree_s = Seconds(Clock::now() - start);
  std::cout << "(g) " << kFiles << " files (" << 2 * kFiles << " objects) offline: " << tree_s << " s, "
            << static_cast<int>(kFiles / tree_s) << " files/s, peak memory " << tree.max_rss_kb / 1024 << " MB (exit "
            << tree.exit_code << ")\n";
  return 0;
}

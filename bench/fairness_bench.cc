// pullguard's deadline and fairness benchmark, on 127.0.0.1 (a real registry and the fault
// server), run against this build and, with --baseline BINARY, against another build in the
// same run:
//  (d) a registry slower than a review's budget: 3 s to answer, reviews with ?timeout=2s, one
//      a second. How many are answered CheckTimedOut, and how many with the registry's answer
//      (from a probe that was allowed to finish and fill the cache)?
//  (e) one review with 100 images on a registry that never answers, and beside it a review
//      of one missing tag on a healthy registry: how long does the second wait, and is it
//      answered TagNotFound or CheckTimedOut?
//   pullguard_fairness_bench [--baseline BINARY]
#include <chrono>
#include <future>
#include <iostream>
#include <thread>

#include "integration/registry_env.h"
#include "support/fault_server.h"
#include "support/image_fixtures.h"
#include "support/registry_server.h"

using namespace pullguard::testing;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Reason(const Decision& d) {
  std::string all = d.All();
  for (const char* r : {"TagNotFound", "CheckTimedOut", "RegistryUnreachable"}) {
    if (all.find(r) != std::string::npos) return r;
  }
  return d.allowed ? "allowed" : "denied";
}

void Run(const std::string& label, const std::string& binary) {
  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  RegistryServer healthy(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  PushSingle(healthy, "team/app", "1.0", "linux/amd64");
  FaultServer faults(FaultMode::kHttp, /*slow_ms=*/3000);
  std::string policy = "registries:\n  - host: \"" + faults.host() + "\"\n    insecure: true\n    allowPrivateAddress: true\n"
                       "  - host: \"127.0.0.1:*\"\n    caFile: " + certs + "/ca.crt\n    allowPrivateAddress: true\n"
                       "platforms: []\n";
  std::cout << label << ":\n";
  {
    WebhookProcess webhook(policy, {}, binary);
    int timed_out = 0, answered = 0;
    for (int i = 0; i < 6; ++i) {
      Decision d = Ask(webhook, PodReview("shop", {faults.host() + "/slow/app:1"}), "2s");
      (Reason(d) == "CheckTimedOut" ? timed_out : answered)++;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    std::cout << "  (d) registry slower than the review budget: " << timed_out << "/6 reviews CheckTimedOut, " << answered
              << "/6 with the registry's answer\n";
  }
  {
    WebhookProcess webhook(policy, {}, binary);
    std::vector<std::string> hanging;
    for (int i = 0; i < 100; ++i) hanging.push_back(faults.host() + "/hang/app" + std::to_string(i) + ":1");
    auto big = std::async(std::launch::async, [&] { return Ask(webhook, PodReview("big", hanging), "6s"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto start = Clock::now();
    Decision small = Ask(webhook, PodReview("small", {healthy.host() + "/team/app:9.9"}), "6s");
    double waited = Ms(Clock::now() - start);
    big.wait();
    std::cout << "  (e) one missing tag beside 100 hanging images: answered " << Reason(small) << " after " << waited
              << " ms\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string baseline;
  if (argc == 3 && std::string(argv[1]) == "--baseline") baseline = argv[2];
  Run("this build", "");
  if (!baseline.empty()) Run("baseline " + baseline, baseline);
  return 0;
}

// (h) The in-process cost of a warm review (the registry's answer cached; a prober that finds
// every image stands in for the cache), on bodies a real kube-apiserver v1.26 sent, against
// the cost of only parsing the same body into an nlohmann::json document, in the same run:
// how a review compares with the floor of the decoder pullguard used before.
//   pullguard_review_cost_bench [ROUNDS]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "admission/handler.h"
#include "policy/policy_yaml.h"

using namespace pullguard;
using Clock = std::chrono::steady_clock;

namespace {

struct FoundEverything : registry::Prober {
  registry::ProbeResult Probe(const registry::ProbeTarget&) override {
    registry::ProbeResult r;
    r.outcome = registry::Outcome::kFound;
    return r;
  }
};

template <typename F>
double MicrosPer(int n, F f) {
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) f();
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / n;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 20000;
  auto policy = policy::ParsePolicy("platforms: [linux/amd64]\n", "bench");
  if (!policy.ok()) return 1;
  auth::StaticSecretSource secrets;
  auth::StaticServiceAccountSource accounts;
  FoundEverything prober;
  checker::Checker checker(prober, {&secrets, &accounts, nullptr}, 4);
  admission::ReviewHandler handler(checker);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PULLGUARD_TEST_DATA) + "/admissionreview/kube-apiserver-1.26")) {
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    std::string body = text.str();
    auto timing = [] { return checker::ReviewTiming{Clock::now(), std::chrono::seconds(10)}; };
    handler.Handle(body, timing(), policy.value());  // warm
    double review = MicrosPer(rounds, [&] { handler.Handle(body, timing(), policy.value()); });
    double parse = MicrosPer(rounds, [&] {
      nlohmann::json doc = nlohmann::json::parse(body);
      (void)doc;
    });
    std::printf("(h) %-34s %6zu bytes: a warm review %6.1f us; nlohmann::json::parse alone %6.1f us (ratio %.2f)\n",
                file.filename().c_str(), body.size(), review, parse, review / parse);
  }
  return 0;
}

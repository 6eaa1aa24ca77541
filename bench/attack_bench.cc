// Attack and overload on 127.0.0.1: the warm load (wrk, 16 connections) while 100 slowloris
// clients, 1,000 idle TLS connections, chunked and gzip bombs, and 5,000-image reviews against a
// hanging registry run beside it. Reports the healthy reviews' throughput and p50/p99 against
// the same load without the attack, the slowest answer of any review against its ?timeout=,
// whether a missing-tag review was ever answered CheckTimedOut, and the peak memory.
//   pullguard_attack_bench [--seconds N]
// Environment: ATTACKS=slow,idle,bombs,big,large,probes (some of them; all by default),
// ATTACKERS_NICE=19 [ATTACKERS_IDLE=1] (the attacking threads yield the shared cores),
// SERVE_ARGS="--linger-ms 0" (flags for pullguard serve).
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include "integration/registry_env.h"
#include "support/fault_server.h"
#include "support/image_fixtures.h"
#include "support/process.h"
#include "support/registry_server.h"
#include "support/tls_probe.h"

using namespace pullguard::testing;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

struct Wrk {
  double rps = 0;
  std::string p50, p99;
};

Wrk RunWrk(int port, const std::string& body_file, int seconds) {
  RunResult r = Run({"env", "BODY_FILE=" + body_file, "wrk", "-t2", "-c16", "-d" + std::to_string(seconds) + "s", "--latency",
                     "-s", std::string(PULLGUARD_SOURCE_DIR) + "/bench/post.lua", "https://127.0.0.1:" + std::to_string(port)},
                    "", std::chrono::seconds(seconds + 30));
  Wrk w;
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("Requests/sec:\\s+([0-9.]+)"))) w.rps = std::stod(m[1]);
  if (std::regex_search(r.out, m, std::regex("\\n\\s+50%\\s+(\\S+)"))) w.p50 = m[1];
  if (std::regex_search(r.out, m, std::regex("\\n\\s+99%\\s+(\\S+)"))) w.p99 = m[1];
  if (w.rps == 0 || r.out.find("errors") != std::string::npos) std::cerr << "wrk said:\n" << r.out << r.err << "\n";
  return w;
}

long PeakRssKb(int pid) {
  std::string status = ReadAll("/proc/" + std::to_string(pid) + "/status");
  std::smatch m;
  return std::regex_search(status, m, std::regex("VmHWM:\\s+(\\d+)")) ? std::stol(m[1]) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = argc == 3 && std::string(argv[1]) == "--seconds" ? std::atoi(argv[2]) : 15;
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  RegistryServer registry(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  PushSingle(registry, "team/app", "1.0", "linux/amd64");
  FaultServer faults;
  std::string policy = "registries:\n  - host: \"" + faults.host() + "\"\n    insecure: true\n    allowPrivateAddress: true\n"
                       "  - host: \"127.0.0.1:*\"\n    caFile: " + certs + "/ca.crt\n    allowPrivateAddress: true\n"
                       "platforms: []\ncache:\n  negativeTTLSeconds: 1\n";
  // SERVE_ARGS: extra flags for pullguard serve, e.g. SERVE_ARGS="--linger-ms 0" to compare.
  std::vector<std::string> serve_args;
  if (const char* extra = std::getenv("SERVE_ARGS")) {
    std::istringstream words(extra);
    for (std::string w; words >> w;) serve_args.push_back(w);
  }
  WebhookProcess webhook(policy, serve_args);  // logging at info, as in production
  int port = webhook.port();
  std::string warm = dir.Write("warm.json", PodReview("warm", {registry.host() + "/team/app:1.0"}).dump());
  Ask(webhook, PodReview("warm", {registry.host() + "/team/app:1.0"}));  // fill the cache

  Wrk calm = RunWrk(port, warm, seconds);
  std::cout << "calm:   " << calm.rps << " req/s, p50 " << calm.p50 << ", p99 " << calm.p99 << std::endl;

  // ATTACKS=slow,idle,bombs,big,large,probes picks some (all by default), to see which costs what.
  const char* only = std::getenv("ATTACKS");
  auto on = [only](const char* name) { return only == nullptr || std::string(only).find(name) != std::string::npos; };
  std::atomic<bool> stop{false};
  std::vector<std::thread> attackers;
  // ATTACKERS_NICE=19: the attacking threads (this process's clients, not pullguard) run at
  // that nice level, so that their own CPU (encrypting megabytes, handshaking) takes less from
  // wrk and pullguard on these shared cores, as attackers on other machines would. What
  // pullguard spends on them is still spent.
  const int attacker_nice = std::getenv("ATTACKERS_NICE") ? std::atoi(std::getenv("ATTACKERS_NICE")) : 0;
  auto as_attacker = [attacker_nice] {
    if (attacker_nice == 0) return;
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), attacker_nice);
    if (std::getenv("ATTACKERS_IDLE")) {
      sched_param none{};
      sched_setscheduler(0, SCHED_IDLE, &none);  // this thread only (Linux)
    }
  };
  // 100 slowloris clients: a header byte every 2 s; cut, they come back.
  if (on("slow")) attackers.emplace_back([&] {
    as_attacker();
    std::vector<std::unique_ptr<RawTlsClient>> slow;
    while (!stop) {
      slow.erase(std::remove_if(slow.begin(), slow.end(), [](auto& c) { return !c->Write("X"); }), slow.end());
      while (slow.size() < 100 && !stop) slow.push_back(std::make_unique<RawTlsClient>(port, webhook.ca_file()));
      for (int i = 0; i < 20 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // 1,000 idle TLS connections, held.
  std::vector<std::unique_ptr<RawTlsClient>> idle;
  if (on("idle")) attackers.emplace_back([&] {
    as_attacker();
    for (int i = 0; i < 1000 && !stop; ++i) idle.push_back(std::make_unique<RawTlsClient>(port, webhook.ca_file()));
  });
  // Chunked and gzip bombs, over and over.
  std::atomic<int> bombs{0};
  if (on("bombs")) attackers.emplace_back([&] {
    as_attacker();
    std::string chunk = "100000\r\n" + std::string(0x100000, 'x') + "\r\n";
    while (!stop) {
      RawTlsClient c(port, webhook.ca_file());
      c.Write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 8 && c.Write(chunk); ++i) {
      }
      RawTlsClient g(port, webhook.ca_file());
      g.Write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 1048576\r\n\r\n");
      bombs += 2;
    }
  });
  // 5,000-image reviews against a hanging registry.
  std::atomic<int> big_reviews{0};
  std::vector<std::string> hanging;
  for (int i = 0; i < 5000; ++i) hanging.push_back(faults.host() + "/hang/app" + std::to_string(i) + ":1");
  json big = PodReview("big", hanging);
  if (on("big")) attackers.emplace_back([&] {
    as_attacker();
    while (!stop) {
      Ask(webhook, big, "10s");
      ++big_reviews;
    }
  });
  // Large reviews: 2.9 MB each (50,000 containers), 16 senders at once.
  std::atomic<int> large_reviews{0}, large_refused{0};
  std::string large_body;
  {
    json review = PodReview("large", {"nginx:1.25"});
    json containers = json::array();
    for (int i = 0; i < 50000; ++i) containers.push_back({{"name", "c" + std::to_string(i)}, {"image", "nginx:1.25"}});
    review["request"]["object"]["spec"]["containers"] = containers;
    large_body = review.dump();
  }
  for (int t = 0; t < 16; ++t) {
    if (!on("large")) break;
    attackers.emplace_back([&] {
    as_attacker();
      while (!stop) {
        HttpAnswer a = webhook.Post("/validate?timeout=10s", large_body);
        ++large_reviews;
        if (a.status != 200) ++large_refused;
      }
    });
  }
  // Missing-tag reviews, measured: always TagNotFound, always before their deadline?
  std::atomic<int> probes{0}, timed_out{0}, late{0};
  std::atomic<long long> slowest_ms{0};
  if (on("probes")) attackers.emplace_back([&] {  // measures; never niced
    int n = 0;
    while (!stop) {
      auto start = Clock::now();
      Decision d = Ask(webhook, PodReview("probe", {registry.host() + "/team/app:missing" + std::to_string(n++ % 5)}), "2s");
      long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
      slowest_ms = std::max<long long>(slowest_ms, ms);
      ++probes;
      if (d.All().find("CheckTimedOut") != std::string::npos) ++timed_out;
      if (ms > 2000) ++late;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the attack builds up
  Wrk attacked = RunWrk(port, warm, seconds);
  stop = true;
  for (auto& t : attackers) t.join();
  long peak_kb = PeakRssKb(webhook.process().pid());
  std::cout << "attack: " << attacked.rps << " req/s, p50 " << attacked.p50 << ", p99 " << attacked.p99 << " (calm p99 "
            << calm.p99 << ")\n";
  std::cout << "        beside 100 slowloris clients, " << idle.size() << " idle TLS connections, " << bombs
            << " chunked/gzip bombs, " << big_reviews << " reviews of 5,000 images on a hanging registry\n";
  std::cout << "        " << large_reviews << " reviews of 2.9 MB (50,000 containers) from 16 senders, " << large_refused
            << " of them answered 503 (busy with large reviews)\n";
  std::cout << "        missing-tag reviews: " << probes << ", answered CheckTimedOut: " << timed_out
            << ", after their 2 s timeout: " << late << ", slowest " << slowest_ms << " ms\n";
  std::cout << "        peak memory of pullguard: " << peak_kb / 1024 << " MB" << std::endl;
  if (attacker_nice != 0) std::cout << "        (the attacking clients ran at nice " << attacker_nice << ")" << std::endl;
  return 0;
}

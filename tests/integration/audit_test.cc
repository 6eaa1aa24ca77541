// `pullguard audit` end to end: the real binary against the fake Kubernetes API (workload lists
// paged with limit/continue, a Lease, Events) and a real docker-registry on 127.0.0.1 behind a
// counting front. A tag deleted after a first cycle turns the gauge to 0 and makes one Event
// across later cycles; a CronJob that goes bad between two cycles is flagged by a CronJob pass
// before it runs; two processes sharing a Lease audit once; each cycle asks the registry once
// per distinct image, however many workloads share it.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "common/rfc3339.h"
#include "integration/registry_env.h"
#include "support/fake_api_server.h"
#include "support/free_port.h"
#include "support/image_fixtures.h"
#include "support/process.h"
#include "support/registry_front.h"
#include "support/registry_server.h"
#include "support/temp_dir.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kLeaseNs = "pullguard-system";
constexpr const char* kLease = "pullguard-audit";

json Containers(const std::vector<std::pair<std::string, std::string>>& containers) {
  json list = json::array();
  for (const auto& [name, image] : containers) list.push_back({{"name", name}, {"image", image}});
  return list;
}

json Meta(const std::string& ns, const std::string& name, const json& owner = nullptr) {
  json meta = {{"namespace", ns}, {"name", name}, {"uid", ns + "-" + name + "-uid"}, {"resourceVersion", "5"}};
  if (!owner.is_null()) meta["ownerReferences"] = json::array({owner});
  return meta;
}

json Owner(const std::string& kind, const std::string& name) {
  return {{"apiVersion", kind == "CronJob" ? "batch/v1" : "apps/v1"}, {"kind", kind}, {"name", name}, {"uid", name + "-uid"},
          {"controller", true}};
}

// A workload of `kind` (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job) with a pod template.
json Templated(const std::string& kind, const std::string& ns, const std::string& name,
               const std::vector<std::pair<std::string, std::string>>& containers, const json& owner = nullptr) {
  return {{"apiVersion", kind == "Job" ? "batch/v1" : "apps/v1"},
          {"kind", kind},
          {"metadata", Meta(ns, name, owner)},
          {"spec", {{"template", {{"spec", {{"containers", Containers(containers)}}}}}}}};
}

json CronJob(const std::string& ns, const std::string& name, const std::string& image) {
  return {{"apiVersion", "batch/v1"},
          {"kind", "CronJob"},
          {"metadata", Meta(ns, name)},
          {"spec", {{"schedule", "*/5 * * * *"},
                    {"jobTemplate", {{"spec", {{"template", {{"spec", {{"containers", Containers({{"job", image}})}}}}}}}}}}}};
}

json Pod(const std::string& ns, const std::string& name, const std::string& image, const json& owner = nullptr) {
  return {{"metadata", Meta(ns, name, owner)},
          {"spec", {{"containers", Containers({{"main", image}})}}},
          {"status", {{"phase", "Running"}}}};
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

size_t Cycles(const Process& p) { return Occurrences(p.Stderr(), "\"msg\":\"audit cycle\""); }
size_t CronPasses(const Process& p) { return Occurrences(p.Stderr(), "\"msg\":\"audit cron pass\""); }

bool WaitForCronPasses(const Process& p, size_t n, std::chrono::seconds timeout = seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (CronPasses(p) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool WaitForCycles(const Process& p, size_t n, std::chrono::seconds timeout = seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Cycles(p) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  auto res = client.Get("/metrics");
  return res && res->status == 200 ? res->body : std::string();
}

// The value of one sample, exactly named with its labels (prometheus-cpp writes them sorted).
std::optional<double> Sample(const std::string& metrics, const std::string& series) {
  size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return std::nullopt;
  at += series.size() + 2;
  return std::stod(metrics.substr(at, metrics.find('\n', at) - at));
}

std::string Available(const std::string& ns, const std::string& kind, const std::string& name, const std::string& container) {
  return "pullguard_audit_image_available{container=\"" + container + "\",kind=\"" + kind + "\",name=\"" + name +
         "\",namespace=\"" + ns + "\"}";
}

// An open TLS registry behind a counting front, and the fake API.
struct AuditCluster {
  TempDir dir;
  std::string certs = MakeCerts(dir, "registry-certs");
  RegistryServer registry{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{}};
  RegistryFront front{certs + "/tls.crt", certs + "/tls.key", registry.host(), certs + "/ca.crt"};
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api{api_certs + "/tls.crt", api_certs + "/tls.key", "tok"};
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("token", "tok")));
  // No platform check (one HEAD per image), :latest not a concern; then `audit`.
  std::string Policy(const std::string& audit) const {
    return "apiVersion: pullguard.io/v1\nkind: Policy\nregistries:\n  - host: \"127.0.0.1:*\"\n"
           "    caFile: " + certs + "/ca.crt\n    allowPrivateAddress: true\n"
           "platformsFromNodes: false\nplatforms: []\n" + audit;
  }
  // A cycle every second.
  std::string policy = dir.Write("policy.yaml", Policy("audit:\n  intervalSeconds: 1\n  checksPerSecond: 1000\n"));

  AuditCluster() {
    for (const char* ns : {"shop", "billing"}) api.AddServiceAccount(ns, "default", {});
  }

  // An image through the front, whose requests it counts.
  std::string Image(const std::string& rest) const { return front.host() + "/" + rest; }

  // Deletes a manifest (and the tags on it) from the registry itself.
  void DeleteManifest(const std::string& repo, const std::string& digest) const {
    httplib::Client client("https://" + registry.host());
    client.set_ca_cert_path((certs + "/ca.crt").c_str());
    client.enable_server_certificate_verification(true);
    auto res = client.Delete(("/v2/" + repo + "/manifests/" + digest).c_str());
    REQUIRE(res);
    REQUIRE(res->status == 202);
  }

  RunResult Once(std::vector<std::string> args) const {
    std::vector<std::string> argv{PULLGUARD_BINARY, "audit", "--once", "--kubeconfig", kubeconfig, "--policy", policy};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv, "", std::chrono::seconds(60));
  }

  // `pullguard audit` as in the cluster: the loop, with the Lease, /metrics on `port`.
  std::unique_ptr<Process> Loop(const std::string& identity, int port, std::vector<std::string> args = {}) const {
    std::filesystem::create_directories(dir.File(identity));
    std::vector<std::string> argv{PULLGUARD_BINARY, "audit", "--kubeconfig", kubeconfig, "--policy", policy,
                                  "--metrics-listen", "127.0.0.1:" + std::to_string(port), "--identity", identity,
                                  "--lease-namespace", kLeaseNs, "--lease-name", kLease};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Process>(argv, dir.File(identity));
  }
};

TEST_CASE("audit: a tag deleted after a cycle turns the gauge to 0 and makes one Event, not one per cycle",
          "[integration][audit]") {
  AuditCluster c;
  const std::string digest = PushSingle(c.registry, "team/app", "1.0", "linux/amd64");
  PushSingle(c.registry, "team/app", "2.0", "linux/arm64");  // the repository stays, with another tag
  c.api.AddObject(Templated("Deployment", "shop", "web", {{"app", c.Image("team/app:1.0")}}));
  const int port = FreePort();
  auto audit = c.Loop("audit-a", port);

  REQUIRE(WaitForCycles(*audit, 1));
  INFO(audit->Stderr());
  std::string metrics = Scrape(port);
  CHECK(Sample(metrics, Available("shop", "Deployment", "web", "app")) == 1.0);
  CHECK(Sample(metrics, "pullguard_audit_leader") == 1.0);
  CHECK(c.api.CreatedEvents().empty());
  json lease = c.api.Lease(kLeaseNs, kLease);
  CHECK(lease["spec"]["holderIdentity"] == "audit-a");
  CHECK(lease["spec"]["leaseDurationSeconds"] == 15);

  c.DeleteManifest("team/app", digest);
  const size_t at_delete = Cycles(*audit);
  // The cycle running at the deletion may have asked before it; the next one asks after.
  REQUIRE(WaitForCycles(*audit, at_delete + 2));
  metrics = Scrape(port);
  CHECK(Sample(metrics, Available("shop", "Deployment", "web", "app")) == 0.0);
  CHECK(Sample(metrics, "pullguard_audit_findings{reason=\"TagNotFound\"}") == 1.0);
  auto events = c.api.CreatedEvents();
  REQUIRE(events.size() == 1);
  const json& e = events[0];
  CHECK(e["type"] == "Warning");
  CHECK(e["reason"] == "ImageUnavailable");
  CHECK(e["metadata"]["namespace"] == "shop");
  CHECK(e["involvedObject"]["kind"] == "Deployment");
  CHECK(e["involvedObject"]["apiVersion"] == "apps/v1");
  CHECK(e["involvedObject"]["name"] == "web");
  CHECK(e["involvedObject"]["namespace"] == "shop");
  CHECK(e["involvedObject"]["uid"] == "shop-web-uid");
  const std::string message = e["message"];
  CHECK_THAT(message, Catch::StartsWith("container app: spec.template.spec.containers[0].image \"" + c.Image("team/app:1.0") +
                                        "\": TagNotFound: "));
  CHECK_THAT(message, Catch::Contains("2.0"));  // the fix names the tag that is there
  CHECK(e["source"]["component"] == "pullguard-audit");
  CHECK(e["reportingInstance"] == "audit-a");

  // More cycles, still unavailable: still one Event.
  REQUIRE(WaitForCycles(*audit, at_delete + 4));
  CHECK(c.api.CreatedEvents().size() == 1);
  CHECK(Sample(Scrape(port), "pullguard_audit_events_total{result=\"created\"}") == 1.0);

  // The workload is deleted: its series goes.
  c.api.RemoveObject("Deployment", "shop", "web");
  const size_t at_remove = Cycles(*audit);
  REQUIRE(WaitForCycles(*audit, at_remove + 2));
  CHECK_FALSE(Sample(Scrape(port), Available("shop", "Deployment", "web", "app")).has_value());

  // SIGTERM: exit 0, the Lease handed back.
  audit->Signal(SIGTERM);
  CHECK(audit->Wait(seconds(20)) == 0);
  CHECK(c.api.Lease(kLeaseNs, kLease)["spec"]["holderIdentity"] == "");
}

TEST_CASE("audit: a CronJob gone bad after a cycle is flagged by a CronJob pass before the next cycle, the others kept as they were",
          "[integration][audit]") {
  AuditCluster c;
  const std::string cron_digest = PushSingle(c.registry, "team/cron", "1.0", "linux/amd64");
  const std::string web_digest = PushSingle(c.registry, "team/web", "1.0", "linux/amd64");
  for (const char* repo : {"team/cron", "team/web"}) PushSingle(c.registry, repo, "2.0", "linux/arm64");  // the repositories stay
  json cronjob = CronJob("shop", "often", c.Image("team/cron:1.0"));
  cronjob["spec"]["schedule"] = "@every 2s";  // robfig's descriptor, as the controller reads it
  c.api.AddObject(cronjob);
  c.api.AddObject(Templated("Deployment", "shop", "web", {{"app", c.Image("team/web:1.0")}}));
  // One cycle an hour: what the test sees after the first comes from the CronJob passes, a
  // second before each run, every 2 s.
  c.policy = c.dir.Write("cron-policy.yaml",
                         c.Policy("audit:\n  intervalSeconds: 3600\n  checksPerSecond: 1000\n  cronLeadSeconds: 1\n"));
  const int port = FreePort();
  auto audit = c.Loop("audit-a", port);

  REQUIRE(WaitForCycles(*audit, 1));
  // Both go bad after the cycle; only the CronJob runs before the next one.
  c.DeleteManifest("team/cron", cron_digest);
  c.DeleteManifest("team/web", web_digest);
  const size_t at_delete = CronPasses(*audit);
  // A pass running at the deletion may have asked before it; the next one asks after.
  const bool passed = WaitForCronPasses(*audit, at_delete + 2, seconds(30));
  INFO(audit->Stderr());
  REQUIRE(passed);
  std::string metrics = Scrape(port);
  CHECK(Sample(metrics, Available("shop", "CronJob", "often", "job")) == 0.0);
  // Not re-checked, not taken for gone: as the cycle left it.
  CHECK(Sample(metrics, Available("shop", "Deployment", "web", "app")) == 1.0);
  CHECK(Sample(metrics, "pullguard_audit_cron_passes_total") >= 2.0);
  auto events = c.api.CreatedEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0]["involvedObject"]["kind"] == "CronJob");
  CHECK(events[0]["involvedObject"]["apiVersion"] == "batch/v1");
  CHECK(events[0]["involvedObject"]["name"] == "often");
  const std::string message = events[0]["message"];
  CHECK_THAT(message, Catch::StartsWith("the next Job (schedule \"@every 2s\", next run "));
  CHECK_THAT(message, Catch::Contains("container job: spec.jobTemplate.spec.template.spec.containers[0].image \"" +
                                      c.Image("team/cron:1.0") + "\": TagNotFound: "));

  // Still bad at the next passes: still one Event. And no cycle ran since the first.
  const size_t at_bad = CronPasses(*audit);
  REQUIRE(WaitForCronPasses(*audit, at_bad + 2, seconds(30)));
  CHECK(c.api.CreatedEvents().size() == 1);
  CHECK(Cycles(*audit) == 1);
  CHECK(Sample(Scrape(port), Available("shop", "Deployment", "web", "app")) == 1.0);

  audit->Signal(SIGTERM);
  CHECK(audit->Wait(seconds(20)) == 0);
}

TEST_CASE("audit: two processes sharing a Lease audit once, and the other takes over when the first hands it back",
          "[integration][audit]") {
  AuditCluster c;
  PushSingle(c.registry, "team/a", "1", "linux/amd64");
  PushSingle(c.registry, "team/b", "1", "linux/amd64");
  PushSingle(c.registry, "team/c", "1", "linux/amd64");
  for (int i = 0; i < 6; ++i) {
    std::string image = c.Image(std::string("team/") + "abc"[i % 3] + ":1");
    c.api.AddObject(Templated("Deployment", i % 2 ? "shop" : "billing", "web" + std::to_string(i), {{"app", image}}));
  }
  const int port_a = FreePort(), port_b = FreePort();
  auto a = c.Loop("audit-a", port_a, {"--lease-duration-seconds", "3"});
  auto b = c.Loop("audit-b", port_b, {"--lease-duration-seconds", "3"});

  // One of them leads and audits; the other stands by.
  auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (Cycles(*a) + Cycles(*b) < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(a->Stderr() << b->Stderr());
  REQUIRE(Cycles(*a) + Cycles(*b) >= 3);
  const bool a_leads = Cycles(*a) > 0;
  Process& leader = a_leads ? *a : *b;
  Process& standby = a_leads ? *b : *a;
  const int leader_port = a_leads ? port_a : port_b, standby_port = a_leads ? port_b : port_a;
  const std::string leader_id = a_leads ? "audit-a" : "audit-b", standby_id = a_leads ? "audit-b" : "audit-a";
  CHECK(Cycles(standby) == 0);
  CHECK_THAT(standby.Stderr(), Catch::Contains("\"msg\":\"audit: standing by\""));
  CHECK(c.api.Lease(kLeaseNs, kLease)["spec"]["holderIdentity"] == leader_id);
  CHECK(Sample(Scrape(leader_port), "pullguard_audit_leader") == 1.0);
  std::string standby_metrics = Scrape(standby_port);
  CHECK(Sample(standby_metrics, "pullguard_audit_leader") == 0.0);
  CHECK(standby_metrics.find("pullguard_audit_image_available{") == std::string::npos);

  // Three images, six workloads: three registry checks per cycle, by one process only.
  const size_t before = Cycles(leader);
  const int requests = c.front.manifest_requests();
  const size_t after = Cycles(leader);
  CHECK(requests >= static_cast<int>(3 * before));
  CHECK(requests <= static_cast<int>(3 * (after + 1)));
  CHECK(c.front.requests() == c.front.manifest_requests());  // nothing but the HEADs
  CHECK(Cycles(standby) == 0);

  // The leader stops and hands the Lease back: the other takes over at its next try.
  leader.Signal(SIGTERM);
  CHECK(leader.Wait(seconds(20)) == 0);
  REQUIRE(WaitForCycles(standby, 1, seconds(30)));
  CHECK_THAT(standby.Stderr(), Catch::Contains("\"msg\":\"audit: leading\""));
  json lease = c.api.Lease(kLeaseNs, kLease);
  CHECK(lease["spec"]["holderIdentity"] == standby_id);
  CHECK(lease["spec"]["leaseTransitions"] == 1);
  standby.Signal(SIGTERM);
  CHECK(standby.Wait(seconds(20)) == 0);
}

TEST_CASE("audit --once: registry checks equal the distinct images, not the workloads, and lists read page by page",
          "[integration][audit]") {
  AuditCluster c;
  for (const char* repo : {"team/web", "team/worker", "team/cron"}) PushSingle(c.registry, repo, "1.0", "linux/amd64");
  const std::string web = c.Image("team/web:1.0"), worker = c.Image("team/worker:1.0"), cron = c.Image("team/cron:1.0");
  // Ten workloads over three images, in two namespaces; and four objects that are not audited.
  c.api.AddObject(Templated("Deployment", "shop", "web", {{"app", web}, {"worker", worker}}));
  c.api.AddObject(Templated("Deployment", "shop", "web-canary", {{"app", web}}));
  c.api.AddObject(Templated("Deployment", "billing", "web", {{"app", web}}));
  c.api.AddObject(Templated("Deployment", "billing", "api", {{"app", worker}}));
  c.api.AddObject(Templated("StatefulSet", "shop", "db", {{"db", worker}}));
  c.api.AddObject(Templated("DaemonSet", "billing", "agent", {{"agent", worker}}));
  c.api.AddObject(CronJob("shop", "nightly", cron));
  c.api.AddObject(Templated("ReplicaSet", "shop", "lone", {{"app", web}}));
  c.api.AddObject(Templated("ReplicaSet", "shop", "web-5d8f", {{"app", web}}, Owner("Deployment", "web")));  // owned
  c.api.AddObject(Templated("Job", "shop", "migrate", {{"migrate", cron}}));
  c.api.AddObject(Templated("Job", "shop", "nightly-28000000", {{"job", cron}}, Owner("CronJob", "nightly")));  // owned
  json done = Templated("Job", "shop", "seed", {{"seed", cron}});
  done["status"] = {{"conditions", {{{"type", "Complete"}, {"status", "True"}}}}};
  c.api.AddObject(done);  // finished
  c.api.AddPod(Pod("shop", "debug", web));
  c.api.AddPod(Pod("shop", "web-5d8f-x2x4k", web, Owner("ReplicaSet", "web-5d8f")));  // owned
  // A continue token that expires mid-list (etcd compacted): that kind's list starts over.
  c.api.ExpireNextContinue();

  RunResult r = c.Once({"-o", "json", "--page-size", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);
  CHECK(doc["version"] == 1);
  CHECK(doc["complete"] == true);
  CHECK(doc["workloads"] == 10);
  CHECK(doc["unavailable"] == 0);
  CHECK(doc["skipped"]["owned"] == 3);
  CHECK(doc["skipped"]["finished"] == 1);
  CHECK(doc["imageUses"] == 11);
  CHECK(doc["images"] == 3);
  CHECK(doc["registryChecks"] == 3);
  CHECK(c.front.manifest_requests() == 3);
  CHECK(c.front.requests() == 3);
  CHECK(doc["results"][0]["kind"] == "CronJob");  // checked first: its next run pulls
  CHECK(doc["results"][0]["schedule"] == "*/5 * * * *");
  // "*/5": the next run is within five minutes of the cycle, on a minute divisible by 5.
  {
    std::string next = doc["results"][0].value("nextRun", "");
    INFO(next);
    REQUIRE(next.rfind("next run ", 0) == 0);
    auto at = ParseRfc3339(next.substr(9));
    REQUIRE(at.has_value());
    auto ahead = *at - std::chrono::system_clock::now();
    CHECK(ahead > -std::chrono::minutes(1));
    CHECK(ahead <= std::chrono::minutes(5));
    CHECK(std::chrono::duration_cast<std::chrono::minutes>(at->time_since_epoch()).count() % 5 == 0);
  }
  // Four Deployments in pages of two, read twice (the first list expired at its second page).
  CHECK(c.api.list_pages("deployments") == 3);
  CHECK(c.api.list_pages("pods") == 1);
  // --once writes nothing: no Lease, no Event.
  CHECK(c.api.Lease(kLeaseNs, kLease).is_null());
  CHECK(c.api.CreatedEvents().empty());
}

TEST_CASE("audit --once: a missing tag in the text report, with its fix, and a kind that cannot be listed is said",
          "[integration][audit]") {
  AuditCluster c;
  PushSingle(c.registry, "team/app", "1.0", "linux/amd64");
  c.api.AddObject(Templated("Deployment", "shop", "web", {{"app", c.Image("team/app:1.1")}}));
  c.api.AddObject(Templated("StatefulSet", "shop", "db", {{"db", c.Image("team/app:1.0")}}));
  c.api.AddObject(CronJob("billing", "report", c.Image("team/app:1.1")));
  c.api.ForbidPath("/apis/apps/v1/daemonsets");

  RunResult r = c.Once({});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("Deployment shop/web: UNAVAILABLE"));
  CHECK_THAT(r.out, Catch::Contains("  container app: spec.template.spec.containers[0].image \"" + c.Image("team/app:1.1") +
                                    "\": TagNotFound: "));
  CHECK_THAT(r.out, Catch::Contains("TagNotFound: tag 1.1 does not exist"));
  CHECK_THAT(r.out, Catch::Contains("nearest: 1.0"));
  {
    const std::string title = "CronJob billing/report (schedule \"*/5 * * * *\", next run ";
    size_t at = r.out.find(title);
    REQUIRE(at != std::string::npos);
    size_t close = r.out.find("): UNAVAILABLE", at);
    REQUIRE(close != std::string::npos);
    CHECK(ParseRfc3339(r.out.substr(at + title.size(), close - at - title.size())).has_value());
  }
  CHECK_THAT(r.out, !Catch::Contains("StatefulSet shop/db"));
  CHECK_THAT(r.out, Catch::Contains("could not list DaemonSet objects: forbidden (403)"));
  CHECK_THAT(r.out, Catch::Contains("2 of 3 workloads cannot pull an image"));
  // One tag asked once, though two workloads use it.
  CHECK(c.front.manifest_requests() == 2);
}

TEST_CASE("audit: usage errors", "[integration][audit]") {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const Case cases[] = {
      {{"audit", "-o", "json"}, "-o goes with --once"},
      {{"audit", "--once", "-o", "yaml"}, "-o must be text or json"},
      {{"audit", "--once", "--metrics-listen", "127.0.0.1:0"}, "--metrics-listen is for the loop"},
      {{"audit", "--once", "--page-size", "0"}, "--page-size must be a number from 1 to 500"},
      {{"audit", "--once", "deploy/web"}, "unexpected argument"},
      {{"audit", "--nope"}, "unknown flag --nope"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv{PULLGUARD_BINARY};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    RunResult r = Run(argv);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.says));
  }
  RunResult help = Run({PULLGUARD_BINARY, "audit", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("Usage: pullguard audit"));
}

}  // namespace
}  // namespace pullguard::testing

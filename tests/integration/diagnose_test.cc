// `pullguard diagnose` end to end, as a person runs it: the real binary against the fake
// Kubernetes API (pods whose status and events carry what kubelets and runtimes really write,
// nodes with their platforms and zones, owners) and real registries on 127.0.0.1, through a
// kubeconfig, through $KUBECONFIG, and through kubectl's plugin mechanism when kubectl is
// installed. What the kubelet said is set beside what the registry answers now; a cause
// already fixed is told apart from a live one.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "auth/docker_config.h"
#include "integration/registry_env.h"
#include "support/fake_api_server.h"
#include "support/image_fixtures.h"
#include "support/process.h"
#include "support/registry_server.h"
#include "support/temp_dir.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

std::string Rfc3339(Clock::time_point t) {
  std::time_t s = Clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&s, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

json Waiting(const std::string& reason, const std::string& message) {
  return {{"waiting", {{"reason", reason}, {"message", message}}}};
}

json Terminated(const std::string& reason, int exit_code, const std::string& message) {
  return {{"terminated", {{"reason", reason}, {"exitCode", exit_code}, {"message", message},
                          {"startedAt", Rfc3339(Clock::now() - seconds(70))}, {"finishedAt", Rfc3339(Clock::now() - seconds(69))}}}};
}

// A Pod as the API server returns it: spec, and the status the kubelet wrote.
struct PodBuilder {
  json pod;

  PodBuilder(const std::string& ns, const std::string& name, const std::string& node) {
    pod = {{"apiVersion", "v1"},
           {"kind", "Pod"},
           {"metadata", {{"name", name}, {"namespace", ns}, {"uid", name + "-0000-4000-8000-000000000001"},
                         {"labels", json::object()}, {"creationTimestamp", Rfc3339(Clock::now() - seconds(600))}}},
           {"spec", {{"containers", json::array()}, {"serviceAccountName", "default"}, {"restartPolicy", "Always"}}},
           {"status", {{"phase", "Pending"}, {"containerStatuses", json::array()}}}};
    if (!node.empty()) pod["spec"]["nodeName"] = node;
  }
  // A container and its status: `state` is {"waiting": ...}, {"running": ...} or {"terminated": ...}.
  PodBuilder& Container(const std::string& name, const std::string& image, const json& state,
                        const json& last_state = json::object(), int restarts = 0, const std::string& image_id = "") {
    pod["spec"]["containers"].push_back({{"name", name}, {"image", image}, {"imagePullPolicy", "IfNotPresent"}});
    pod["status"]["containerStatuses"].push_back({{"name", name}, {"image", image}, {"imageID", image_id}, {"ready", false},
                                                  {"restartCount", restarts}, {"started", false}, {"state", state},
                                                  {"lastState", last_state}});
    return *this;
  }
  PodBuilder& Labels(const json& labels) {
    pod["metadata"]["labels"] = labels;
    return *this;
  }
  PodBuilder& Owner(const std::string& api_version, const std::string& kind, const std::string& name, const std::string& uid) {
    pod["metadata"]["ownerReferences"] = json::array({{{"apiVersion", api_version}, {"kind", kind}, {"name", name}, {"uid", uid},
                                                       {"controller", true}, {"blockOwnerDeletion", true}}});
    return *this;
  }
  PodBuilder& PullSecret(const std::string& name) {
    pod["spec"]["imagePullSecrets"] = json::array({{{"name", name}}});
    return *this;
  }
  PodBuilder& Phase(const std::string& phase) {
    pod["status"]["phase"] = phase;
    return *this;
  }
};

// An event about one container of `pod`, as the kubelet records it (core/v1, aggregated:
// `count` times from `first` to `last`).
json Event(const json& pod, const std::string& container, const std::string& reason, const std::string& message,
           Clock::time_point first, Clock::time_point last, int count = 1, const std::string& type = "Warning") {
  const json& meta = pod["metadata"];
  return {{"involvedObject",
           {{"kind", "Pod"}, {"namespace", meta["namespace"]}, {"name", meta["name"]}, {"uid", meta["uid"]}, {"apiVersion", "v1"},
            {"fieldPath", "spec.containers{" + container + "}"}}},
          {"reason", reason},
          {"message", message},
          {"type", type},
          {"count", count},
          {"firstTimestamp", Rfc3339(first)},
          {"lastTimestamp", Rfc3339(last)},
          {"source", {{"component", "kubelet"}, {"host", pod["spec"].value("nodeName", "")}}},
          {"reportingComponent", "kubelet"}};
}

// containerd 1.7's words for a tag that is not there, as the kubelet's Failed event has them.
std::string NotFoundMessage(const std::string& image) {
  return "Failed to pull image \"" + image + "\": rpc error: code = NotFound desc = failed to pull and unpack image \"" + image +
         "\": failed to resolve reference \"" + image + "\": " + image + ": not found";
}

std::string BareBackOff(const std::string& image) { return "Back-off pulling image \"" + image + "\""; }

// An open TLS registry and the fake API, with the nodes and the policy that reaches the registry.
struct Cluster {
  TempDir dir;
  std::string certs = MakeCerts(dir, "registry-certs");
  RegistryServer registry{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{}};
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api{api_certs + "/tls.crt", api_certs + "/tls.key", "tok"};
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("token", "tok")));
  std::string policy = dir.Write("policy.yaml", "apiVersion: pullguard.io/v1\nkind: Policy\nregistries:\n  - host: \"127.0.0.1:*\"\n"
                                                "    caFile: " + certs + "/ca.crt\n    allowPrivateAddress: true\n");

  Cluster() {
    api.AddNode("amd-1", "linux", "amd64", {}, {{"topology.kubernetes.io/zone", "a"}});
    api.AddNode("arm-1", "linux", "arm64", {}, {{"topology.kubernetes.io/zone", "a"}});
    api.AddNode("arm-2", "linux", "arm64", {}, {{"topology.kubernetes.io/zone", "b"}});
    api.AddNode("arm-3", "linux", "arm64", {}, {{"topology.kubernetes.io/zone", "b"}});
    api.AddServiceAccount("shop", "default", {});
  }
  std::string Image(const std::string& rest) const { return registry.host() + "/" + rest; }

  RunResult Diagnose(std::vector<std::string> args) const {
    std::vector<std::string> argv{PULLGUARD_BINARY, "diagnose", "--kubeconfig", kubeconfig, "--policy", policy};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv, "", std::chrono::seconds(60));
  }
};

TEST_CASE("diagnose: a missing tag the kubelet reported is still missing, named with its owner and the next try",
          "[integration][diagnose]") {
  Cluster c;
  PushSingle(c.registry, "team/app", "1.0", "linux/amd64");
  const std::string image = c.Image("team/app:1.1");
  c.api.AddObject({{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
                   {"metadata", {{"name", "web"}, {"namespace", "shop"}, {"uid", "dep-web-uid"}}},
                   {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}}}});
  c.api.AddObject({{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"},
                   {"metadata", {{"name", "web-5d8f"}, {"namespace", "shop"}, {"uid", "rs-web-uid"},
                                 {"ownerReferences", {{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"},
                                                       {"uid", "dep-web-uid"}, {"controller", true}}}}}},
                   {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}}}});
  json pod = PodBuilder("shop", "web-5d8f-x2x4k", "amd-1")
                 .Labels({{"app", "web"}})
                 .Owner("apps/v1", "ReplicaSet", "web-5d8f", "rs-web-uid")
                 .Container("app", image, Waiting("ImagePullBackOff", BareBackOff(image)))
                 .pod;
  c.api.AddPod(pod);
  // Four failed pulls, the last 20 s ago: the kubelet waits 80 s after the fourth.
  const Clock::time_point t0 = Clock::now();
  c.api.AddEvent(Event(pod, "app", "Failed", NotFoundMessage(image), t0 - seconds(200), t0 - seconds(20), 4));
  c.api.AddEvent(Event(pod, "app", "Failed", "Error: ErrImagePull", t0 - seconds(200), t0 - seconds(20), 4));
  c.api.AddEvent(Event(pod, "app", "BackOff", BareBackOff(image), t0 - seconds(190), t0 - seconds(5), 9, "Normal"));
  // An event of an earlier pod of the same name is not this pod's.
  json earlier = Event(pod, "app", "Failed", "Failed to pull image \"" + image + "\": 429 Too Many Requests - Server message: "
                                               "toomanyrequests: You have reached your pull rate limit",
                       t0 - seconds(3000), t0 - seconds(2900));
  earlier["involvedObject"]["uid"] = "an-earlier-pod";
  c.api.AddEvent(earlier);
  // One events API refused: the other one is enough.
  c.api.ForbidPath("/apis/events.k8s.io/");

  RunResult r = c.Diagnose({"-n", "shop", "pod/web-5d8f-x2x4k"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("pod shop/web-5d8f-x2x4k (Pending) on node amd-1: linux/amd64, zone a, containerd://1.7.22, kubelet v1.30.4"));
  CHECK_THAT(r.out, Catch::Contains("fix it in Deployment/web (via ReplicaSet/web-5d8f)"));
  CHECK_THAT(r.out, Catch::Contains("kubelet said TagNotFound at " + Rfc3339(t0 - seconds(20)) + " ("));
  CHECK_THAT(r.out, Catch::Contains("[containerd.resolve-not-found]; 4 failed pulls recorded"));
  CHECK_THAT(r.out, Catch::Contains("the registry answers TagNotFound now: tag 1.1 does not exist"));
  CHECK_THAT(r.out, Catch::Contains("fix: nearest: 1.0"));
  CHECK_THAT(r.out, Catch::Contains("next try at about "));
  CHECK_THAT(r.out, Catch::Contains("the kubelet retries after 10, 20, 40, 80, 160, then every 300 s); a fix is picked up then, or delete the pod"));
  CHECK_THAT(r.out, Catch::Contains("=> needs a change: TagNotFound"));
  CHECK_THAT(r.out, Catch::Contains("checked now for linux/amd64, as node amd-1 pulls"));
  CHECK_THAT(r.out, Catch::Contains("diagnosis: needs a change (exit 1)"));
  CHECK_THAT(r.out, !Catch::Contains("RateLimited"));  // the earlier pod's event

  RunResult j = c.Diagnose({"-n", "shop", "pod/web-5d8f-x2x4k", "-o", "json"});
  INFO(j.out << j.err);
  CHECK(j.exit_code == 1);
  json doc = json::parse(j.out);
  CHECK(doc["version"] == 1);
  CHECK(doc["exitCode"] == 1);
  CHECK(doc["outcome"] == "needsChange");
  const json& p = doc["pods"][0];
  CHECK(p["fixIn"] == "Deployment/web");
  CHECK(p["owners"] == json::array({"ReplicaSet/web-5d8f", "Deployment/web"}));
  CHECK(p["node"]["platform"] == "linux/amd64");
  CHECK(p["events"]["read"] == true);
  const json& app = p["containers"][0];
  CHECK(app["imagePath"] == "spec.containers[0].image");
  CHECK(app["kubeletSaid"]["reason"] == "TagNotFound");
  CHECK(app["kubeletSaid"]["source"] == "Failed event");
  CHECK(app["now"]["denials"][0]["reason"] == "TagNotFound");
  CHECK(app["cause"] == "TagNotFound");
  REQUIRE(app["nextTry"].is_string());
  // 80 s after the last failure, give or take the seconds this test took.
  CHECK(app["nextTry"].get<std::string>() >= Rfc3339(Clock::now() + seconds(30)));
}

TEST_CASE("diagnose: the tag is pushed after the failures, so the pod only waits on its back-off", "[integration][diagnose]") {
  Cluster c;
  PushSingle(c.registry, "team/app", "1.0", "linux/amd64");
  const std::string image = c.Image("team/app:2.0");
  json pod = PodBuilder("shop", "api", "arm-2")
                 .Container("api", image, Waiting("ImagePullBackOff", BareBackOff(image)))
                 .pod;
  c.api.AddPod(pod);
  const Clock::time_point t0 = Clock::now();
  c.api.AddEvent(Event(pod, "api", "Failed", NotFoundMessage(image), t0 - seconds(200), t0 - seconds(20), 4));
  // Only events.k8s.io/v1 is served: the events come in its shape (regarding, note, deprecatedCount).
  c.api.HidePath("/api/v1/namespaces/shop/events");

  RunResult before = c.Diagnose({"-n", "shop", "api"});
  INFO(before.out << before.err);
  CHECK(before.exit_code == 1);
  CHECK_THAT(before.out, Catch::Contains("kubelet said TagNotFound"));
  CHECK_THAT(before.out, Catch::Contains("the registry answers TagNotFound now"));

  // Someone pushes the tag (for arm64, the node's platform): nothing is wrong any more.
  PushSingle(c.registry, "team/app", "2.0", "linux/arm64");
  RunResult after = c.Diagnose({"-n", "shop", "pod/api"});
  INFO(after.out << after.err);
  CHECK(after.exit_code == 0);
  CHECK_THAT(after.out, Catch::Contains("kubelet said TagNotFound at "));
  CHECK_THAT(after.out, Catch::Contains("the registry answers now: it pulls"));
  CHECK_THAT(after.out, Catch::Contains("=> already fixed; next try at about "));
  CHECK_THAT(after.out, Catch::Contains("a fix is picked up then, or delete the pod"));
  CHECK_THAT(after.out, Catch::Contains("diagnosis: already fixed; waiting on the kubelet's next try (exit 0)"));
}

TEST_CASE("diagnose: a registry asking for credentials, live without a pull secret and fixed with one, no secret printed",
          "[integration][diagnose]") {
  Cluster c;
  RegistryOptions options;
  options.auth = RegistryAuth::kBasic;
  RegistryServer locked(c.certs + "/tls.crt", c.certs + "/tls.key", c.certs + "/ca.crt", options);
  PushSingle(locked, "team/private", "1.0", "linux/amd64");
  const std::string image = locked.host() + "/team/private:1.0";
  const std::string message = "rpc error: code = Unknown desc = failed to pull and unpack image \"" + image +
                              "\": failed to resolve reference \"" + image +
                              "\": pull access denied, repository does not exist or may require authorization: authorization "
                              "failed: no basic auth credentials";
  const std::string auth_field = auth::EncodeAuthField(options.user, options.password);
  c.api.AddSecret("shop", "regcred", "kubernetes.io/dockerconfigjson",
                  {{".dockerconfigjson", json{{"auths", {{locked.host(), {{"auth", auth_field}}}}}}.dump()}});
  // Kubelet 1.32+ keeps the error in the waiting message; no events are needed.
  c.api.AddPod(PodBuilder("shop", "no-secret", "amd-1").Container("app", image, Waiting("ErrImagePull", message)).pod);
  c.api.AddPod(PodBuilder("shop", "with-secret", "amd-1")
                   .PullSecret("regcred")
                   .Container("app", image, Waiting("ImagePullBackOff", "Back-off pulling image \"" + image + "\": ErrImagePull: " + message))
                   .pod);

  RunResult live = c.Diagnose({"-n", "shop", "pod/no-secret"});
  INFO(live.out << live.err);
  CHECK(live.exit_code == 1);
  CHECK_THAT(live.out, Catch::Contains("kubelet said AuthRequired: "));
  CHECK_THAT(live.out, Catch::Contains("waiting message (ErrImagePull): \"rpc error: code = Unknown desc = failed to pull"));
  CHECK_THAT(live.out, Catch::Contains("the registry answers AuthRequired now: " + locked.host() + " asks for credentials"));
  CHECK_THAT(live.out, Catch::Contains("=> needs a change: AuthRequired"));

  // The secret existed late (the pod was created before it): the registry lets the pod's secret in now.
  RunResult fixed = c.Diagnose({"-n", "shop", "pod/with-secret"});
  INFO(fixed.out << fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK_THAT(fixed.out, Catch::Contains("kubelet said AuthRequired"));
  CHECK_THAT(fixed.out, Catch::Contains("the registry answers now: it pulls"));
  CHECK_THAT(fixed.out, Catch::Contains("=> already fixed; next try within 300 s"));

  RunResult json_out = c.Diagnose({"-n", "shop", "pod/with-secret", "-o", "json"});
  for (const RunResult* r : {&live, &fixed, &json_out}) {
    CHECK(r->out.find(options.password) == std::string::npos);
    CHECK(r->err.find(options.password) == std::string::npos);
    CHECK(r->out.find(auth_field) == std::string::npos);
  }
}

TEST_CASE("diagnose: a rate limit is transient, and a lost cause is said to be lost", "[integration][diagnose]") {
  Cluster c;
  PushSingle(c.registry, "team/app", "1.0", "linux/amd64");
  const std::string image = c.Image("team/app:1.0");
  const std::string limited = "Back-off pulling image \"" + image + "\": ErrImagePull: failed to pull and unpack image \"" + image +
                              "\": failed to copy: httpReadSeeker: failed open: unexpected status code https://" + c.registry.host() +
                              "/v2/team/app/manifests/sha256:" + std::string(64, 'a') +
                              ": 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.";
  c.api.AddPod(PodBuilder("shop", "limited", "amd-1").Container("app", image, Waiting("ImagePullBackOff", limited)).pod);
  RunResult r = c.Diagnose({"-n", "shop", "pod/limited"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("kubelet said RateLimited: "));
  CHECK_THAT(r.out, Catch::Contains("[registry.toomanyrequests]"));
  CHECK_THAT(r.out, Catch::Contains("=> transient: RateLimited may pass with nothing changed"));
  CHECK_THAT(r.out, Catch::Contains("diagnosis: a transient cause only"));

  // A kubelet before 1.32 and events that expired: only a bare back-off message is left.
  const std::string missing = c.Image("team/app:9.9");
  c.api.AddPod(PodBuilder("shop", "old", "amd-1").Container("app", missing, Waiting("ImagePullBackOff", BareBackOff(missing))).pod);
  RunResult lost = c.Diagnose({"-n", "shop", "pod/old"});
  INFO(lost.out << lost.err);
  CHECK(lost.exit_code == 1);
  CHECK_THAT(lost.out, Catch::Contains("cause not recorded (events expire after an hour; kubelets before 1.32 put the cause only in "
                                       "events); checked now: the registry answers TagNotFound now: tag 9.9 does not exist"));
  CHECK_THAT(lost.out, Catch::Contains("next try within 300 s"));
}

TEST_CASE("diagnose: an image for another platform, as exec format error and as no match for platform",
          "[integration][diagnose]") {
  Cluster c;
  PushSingle(c.registry, "team/amd-only", "1.0", "linux/amd64");
  PushIndex(c.registry, "team/multi-amd", "1.0", {"linux/amd64", "linux/s390x"});
  const std::string amd_only = c.Image("team/amd-only:1.0");
  const std::string multi = c.Image("team/multi-amd:1.0");
  // It pulled, then could not start: the runtime's words, kept by FallbackToLogsOnError.
  json crashing_pod = PodBuilder("shop", "crashing", "arm-1")
                          .Phase("Running")
                          .Container("app", amd_only, Waiting("CrashLoopBackOff", "back-off 40s restarting failed container=app"),
                                     Terminated("Error", 255, "exec /usr/local/bin/app: exec format error\n"), 3,
                                     amd_only + "@sha256:" + std::string(64, 'b'))
                          .pod;
  c.api.AddPod(crashing_pod);
  // Both events APIs serve this one event: it is counted once.
  c.api.AddEvent(Event(crashing_pod, "app", "Pulled", "Container image \"" + amd_only + "\" already present on machine",
                       Clock::now() - seconds(300), Clock::now() - seconds(60), 4, "Normal"));
  const std::string no_match = "rpc error: code = NotFound desc = failed to pull and unpack image \"" + multi +
                               "\": no match for platform in manifest: not found";
  c.api.AddPod(PodBuilder("shop", "no-match", "arm-1").Container("app", multi, Waiting("ErrImagePull", no_match)).pod);

  RunResult crashing = c.Diagnose({"-n", "shop", "pod/crashing"});
  INFO(crashing.out << crashing.err);
  CHECK(crashing.exit_code == 1);
  CHECK_THAT(crashing.out, Catch::Contains("  events: 1\n"));
  CHECK_THAT(crashing.out, Catch::Contains("kubelet said PlatformMismatch: the image was built for another platform"));
  CHECK_THAT(crashing.out, Catch::Contains("last terminated state (Error, exit 255): \"exec /usr/local/bin/app: exec format error\\n\""));
  CHECK_THAT(crashing.out, Catch::Contains("checked now for linux/arm64, as node arm-1 pulls"));
  CHECK_THAT(crashing.out, Catch::Contains("the registry answers PlatformMismatch now: the image is built for linux/amd64 only"));
  CHECK_THAT(crashing.out, Catch::Contains("=> needs a change: PlatformMismatch"));

  RunResult no_platform = c.Diagnose({"-n", "shop", "pod/no-match"});
  INFO(no_platform.out << no_platform.err);
  CHECK(no_platform.exit_code == 1);
  CHECK_THAT(no_platform.out, Catch::Contains("kubelet said PlatformMismatch: the image has no manifest for this node's os/architecture "
                                              "[containerd.no-match-for-platform]"));
  CHECK_THAT(no_platform.out, Catch::Contains("the registry answers PlatformMismatch now: no linux/arm64 image"));
}

TEST_CASE("diagnose: a Deployment whose pods fail only on arm64 nodes is grouped so", "[integration][diagnose]") {
  Cluster c;
  PushSingle(c.registry, "team/amd-only", "1.0", "linux/amd64");
  const std::string image = c.Image("team/amd-only:1.0");
  const std::string digest_id = image + "@sha256:" + std::string(64, 'c');
  c.api.AddObject({{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
                   {"metadata", {{"name", "web"}, {"namespace", "shop"}, {"uid", "dep-web"}}},
                   {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}}}});
  auto replica_set = [&](const std::string& name, const std::string& uid, const std::string& deployment,
                         const std::string& deployment_uid) {
    json owner = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", deployment},
                  {"uid", deployment_uid}, {"controller", true}};
    json metadata = {{"name", name}, {"namespace", "shop"}, {"uid", uid}};
    metadata["ownerReferences"] = json::array({owner});
    c.api.AddObject({{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"metadata", metadata}});
  };
  replica_set("web-6c9f", "rs-web", "web", "dep-web");
  replica_set("other-1a2b", "rs-other", "other", "dep-other");  // same labels, another Deployment's
  json running = {{"running", {{"startedAt", Rfc3339(Clock::now() - seconds(300))}}}};
  c.api.AddPod(PodBuilder("shop", "web-6c9f-a", "amd-1")
                   .Labels({{"app", "web"}})
                   .Owner("apps/v1", "ReplicaSet", "web-6c9f", "rs-web")
                   .Phase("Running")
                   .Container("app", image, running, json::object(), 0, digest_id)
                   .pod);
  for (const std::string node : {"arm-1", "arm-2", "arm-3"}) {
    c.api.AddPod(PodBuilder("shop", "web-6c9f-" + node, node)
                     .Labels({{"app", "web"}})
                     .Owner("apps/v1", "ReplicaSet", "web-6c9f", "rs-web")
                     .Phase("Running")
                     .Container("app", image, Waiting("CrashLoopBackOff", "back-off 1m20s restarting failed container=app"),
                                Terminated("Error", 255, "exec /app: exec format error"), 4, digest_id)
                     .pod);
  }
  c.api.AddPod(PodBuilder("shop", "other-1a2b-z", "amd-1")
                   .Labels({{"app", "web"}})
                   .Owner("apps/v1", "ReplicaSet", "other-1a2b", "rs-other")
                   .Container("app", c.Image("team/nothere:1.0"), Waiting("ErrImagePull", "rpc error: not found"))
                   .pod);

  RunResult r = c.Diagnose({"-n", "shop", "deploy/web"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("Deployment shop/web: 4 pods (selector app=web)"));
  CHECK_THAT(r.out, Catch::Contains("fails with PlatformMismatch on the 3 arm64 nodes (zone a, b), pulls on amd64"));
  CHECK_THAT(r.out, Catch::Contains("fails with PlatformMismatch on linux/arm64, zone b: 2 pods (web-6c9f-arm-2, web-6c9f-arm-3) on 2 nodes"));
  CHECK_THAT(r.out, Catch::Contains("pulls on linux/amd64, zone a: 1 pod (web-6c9f-a) on 1 node (amd-1)"));
  CHECK_THAT(r.out, Catch::Contains("pod shop/web-6c9f-arm-1 (Running) on node arm-1: linux/arm64"));
  CHECK_THAT(r.out, Catch::Contains("fix it in Deployment/web (via ReplicaSet/web-6c9f)"));
  CHECK_THAT(r.out, !Catch::Contains("other-1a2b-z"));
  CHECK_THAT(r.out, !Catch::Contains("pod shop/web-6c9f-a "));  // it pulled: in the group lines only

  RunResult j = c.Diagnose({"-n", "shop", "deployment.apps/web", "-o", "json"});
  INFO(j.out << j.err);
  json doc = json::parse(j.out);
  CHECK(doc["target"]["kind"] == "Deployment");
  CHECK(doc["podsFound"] == 4);
  CHECK(doc["summary"] == "fails with PlatformMismatch on the 3 arm64 nodes (zone a, b), pulls on amd64");
  CHECK(doc["groups"].size() == 3);
}

TEST_CASE("diagnose: usage errors and an API that cannot be read exit 2 with words that say why", "[integration][diagnose]") {
  Cluster c;
  c.api.Forbid("locked");
  RunResult unknown_type = c.Diagnose({"svc/web"});
  CHECK(unknown_type.exit_code == 2);
  CHECK_THAT(unknown_type.err, Catch::Contains("unknown type \"svc\""));
  RunResult missing = c.Diagnose({"-n", "shop", "pod/ghost"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("pod ghost not found in namespace shop"));
  RunResult forbidden = c.Diagnose({"-n", "locked", "pod/web"});
  CHECK(forbidden.exit_code == 2);
  CHECK_THAT(forbidden.err, Catch::Contains("forbidden (403): you may not get pods in namespace locked (kubectl auth can-i get pods -n locked)"));
  RunResult no_deployment = c.Diagnose({"-n", "shop", "deploy/none"});
  CHECK(no_deployment.exit_code == 2);
  CHECK_THAT(no_deployment.err, Catch::Contains("Deployment none not found in namespace shop"));
  RunResult format = c.Diagnose({"pod/web", "-o", "yaml"});
  CHECK(format.exit_code == 2);
  RunResult help = Run({PULLGUARD_BINARY, "diagnose", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("kubectl pullguard diagnose"));
}

TEST_CASE("diagnose finds the cluster as kubectl does, and runs as the kubectl plugin kubectl-pullguard",
          "[integration][diagnose]") {
  Cluster c;
  PushSingle(c.registry, "team/app", "1.0", "linux/amd64");
  const std::string image = c.Image("team/app:1.0");
  c.api.AddPod(PodBuilder("shop", "web", "amd-1").Phase("Running")
                   .Container("app", image, {{"running", {{"startedAt", Rfc3339(Clock::now())}}}}, json::object(), 0,
                              image + "@sha256:" + std::string(64, 'd'))
                   .pod);
  // $KUBECONFIG, whose context names the namespace: no --kubeconfig, no -n.
  std::string with_ns = c.dir.Write("kubeconfig-shop", c.api.Kubeconfig(c.api_certs + "/ca.crt", c.dir.File("token"), "shop"));
  RunResult env = Run({"env", "KUBECONFIG=/nonexistent/config:" + with_ns, PULLGUARD_BINARY, "diagnose", "--policy", c.policy, "pod/web"},
                      "", std::chrono::seconds(60));
  INFO(env.out << env.err);
  CHECK(env.exit_code == 0);
  CHECK_THAT(env.out, Catch::Contains("pod shop/web (Running) on node amd-1"));
  CHECK_THAT(env.out, Catch::Contains("container app: running"));
  CHECK_THAT(env.out, Catch::Contains("diagnosis: nothing wrong (exit 0)"));

  if (Run({"kubectl", "version", "--client"}).exit_code != 0) {
    WARN("kubectl is not installed: the kubectl plugin is not tested");
    return;
  }
  TempDir bin;
  std::filesystem::create_symlink(PULLGUARD_BINARY, bin.File("kubectl-pullguard"));
  const char* path = std::getenv("PATH");
  RunResult plugin = Run({"env", "PATH=" + bin.path() + ":" + (path ? path : "/usr/bin:/bin"), "kubectl", "pullguard", "diagnose",
                          "pod/web", "-n", "shop", "--kubeconfig", c.kubeconfig, "--policy", c.policy},
                         "", std::chrono::seconds(60));
  INFO(plugin.out << plugin.err);
  CHECK(plugin.exit_code == 0);
  CHECK_THAT(plugin.out, Catch::Contains("pod shop/web (Running) on node amd-1"));
  CHECK_THAT(plugin.out, Catch::Contains("diagnosis: nothing wrong (exit 0)"));
  // Its exit code comes through kubectl: a pod that needs a change is 1.
  const std::string missing = c.Image("team/app:0.1");
  c.api.AddPod(PodBuilder("shop", "broken", "amd-1").Container("app", missing, Waiting("ImagePullBackOff", BareBackOff(missing))).pod);
  RunResult broken = Run({"env", "PATH=" + bin.path() + ":" + (path ? path : "/usr/bin:/bin"), "kubectl", "pullguard", "diagnose",
                          "pod/broken", "-n", "shop", "--kubeconfig", c.kubeconfig, "--policy", c.policy},
                         "", std::chrono::seconds(60));
  INFO(broken.out << broken.err);
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.out, Catch::Contains("TagNotFound"));
}

}  // namespace
}  // namespace pullguard::testing

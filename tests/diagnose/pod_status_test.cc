// Decoding what diagnose reads (diagnose/pod_status.h): a Pod's containers and states, its node
// and owners; events in the core/v1 and events.k8s.io/v1 shapes; RFC 3339 times. Our own
// fixtures, shaped like the API server's answers.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diagnose/pod_status.h"

namespace pullguard::diagnose {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

Clock::time_point Epoch(long long s) { return Clock::time_point(seconds(s)); }

const char* kPod = R"json({
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "name": "web-7d4b9c8f6-x2x9k",
    "namespace": "shop",
    "uid": "0b1c2d3e-0000-4000-8000-000000000001",
    "ownerReferences": [
      {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c8f6", "uid": "rs-uid",
       "controller": true, "blockOwnerDeletion": true}
    ]
  },
  "spec": {
    "nodeName": "node-arm-1",
    "initContainers": [{"name": "migrate", "image": "ghcr.io/acme/migrate:1.4"}],
    "containers": [
      {"name": "app", "image": "ghcr.io/acme/web:1.4.2",
       "volumeMounts": [{"name": "models", "mountPath": "/models"}, {"name": "cache", "mountPath": "/cache"}]},
      {"name": "sidecar", "image": "envoyproxy/envoy:v1.30.1"}
    ],
    "ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "targetContainerName": "app"}],
    "volumes": [
      {"name": "cache", "emptyDir": {}},
      {"name": "models", "image": {"reference": "ghcr.io/acme/models:2024-05", "pullPolicy": "IfNotPresent"}}
    ]
  },
  "status": {
    "phase": "Pending",
    "initContainerStatuses": [
      {"name": "migrate", "image": "ghcr.io/acme/migrate:1.4", "imageID": "ghcr.io/acme/migrate@sha256:aa",
       "ready": true, "restartCount": 0,
       "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": "2024-05-01T11:59:00Z"}}}
    ],
    "containerStatuses": [
      {"name": "sidecar", "image": "docker.io/envoyproxy/envoy:v1.30.1", "imageID": "", "ready": false,
       "restartCount": 3,
       "state": {"running": {"startedAt": "2024-05-01T12:00:00Z"}},
       "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                    "message": "exec /usr/local/bin/envoy: exec format error"}}},
      {"name": "app", "image": "ghcr.io/acme/web:1.4.2", "imageID": "", "ready": false, "restartCount": 0,
       "started": false,
       "state": {"waiting": {"reason": "ImagePullBackOff",
                             "message": "Back-off pulling image \"ghcr.io/acme/web:1.4.2\""}}}
    ]
  }
})json";

TEST_CASE("a pod's containers, their states, its node and owners") {
  auto read = ReadPodStatus(json::parse(kPod));
  REQUIRE(read.ok());
  const PodStatusView& pod = *read;
  CHECK(pod.name == "web-7d4b9c8f6-x2x9k");
  CHECK(pod.namespace_name == "shop");
  CHECK(pod.uid == "0b1c2d3e-0000-4000-8000-000000000001");
  CHECK(pod.node_name == "node-arm-1");
  CHECK(pod.phase == "Pending");
  REQUIRE(pod.owners.size() == 1);
  CHECK(pod.owners[0].kind == "ReplicaSet");
  CHECK(pod.owners[0].name == "web-7d4b9c8f6");
  CHECK(pod.owners[0].api_version == "apps/v1");
  CHECK(pod.owners[0].uid == "rs-uid");
  CHECK(pod.owners[0].controller);

  REQUIRE(pod.containers.size() == 5);
  const ContainerView& migrate = pod.containers[0];
  CHECK(migrate.kind == ContainerKind::kInit);
  CHECK(migrate.field_path == "spec.initContainers{migrate}");
  CHECK(migrate.has_status);
  CHECK(migrate.image_id == "ghcr.io/acme/migrate@sha256:aa");
  REQUIRE(migrate.state.terminated.has_value());
  CHECK(migrate.state.terminated->reason == "Completed");
  CHECK(migrate.state.terminated->exit_code == 0);

  // Spec order, whatever order the status lists them in.
  const ContainerView& app = pod.containers[1];
  CHECK(app.kind == ContainerKind::kRegular);
  CHECK(app.name == "app");
  CHECK(app.image == "ghcr.io/acme/web:1.4.2");
  CHECK(app.field_path == "spec.containers{app}");
  REQUIRE(app.state.waiting.has_value());
  CHECK(app.state.waiting->reason == "ImagePullBackOff");
  CHECK(app.state.waiting->message == "Back-off pulling image \"ghcr.io/acme/web:1.4.2\"");
  CHECK_FALSE(app.state.terminated.has_value());
  CHECK_FALSE(app.last_state.waiting.has_value());
  CHECK(app.image_id.empty());
  CHECK_FALSE(app.ready);

  const ContainerView& sidecar = pod.containers[2];
  CHECK(sidecar.image == "envoyproxy/envoy:v1.30.1");
  CHECK(sidecar.status_image == "docker.io/envoyproxy/envoy:v1.30.1");
  CHECK(sidecar.state.running);
  CHECK(sidecar.restart_count == 3);
  REQUIRE(sidecar.last_state.terminated.has_value());
  CHECK(sidecar.last_state.terminated->exit_code == 1);
  CHECK(sidecar.last_state.terminated->message == "exec /usr/local/bin/envoy: exec format error");

  const ContainerView& debugger = pod.containers[3];
  CHECK(debugger.kind == ContainerKind::kEphemeral);
  CHECK(debugger.field_path == "spec.ephemeralContainers{debugger}");
  CHECK_FALSE(debugger.has_status);

  const ContainerView& models = pod.containers[4];
  CHECK(models.kind == ContainerKind::kImageVolume);
  CHECK(models.name == "models");
  CHECK(models.image == "ghcr.io/acme/models:2024-05");
  CHECK(models.field_path.empty());
  CHECK(models.mounted_by == std::vector<std::string>{"app"});
  CHECK_FALSE(models.has_status);
  CHECK(ContainerKindName(models.kind) == "image volume");
}

TEST_CASE("absent and null fields are defaults") {
  auto read = ReadPodStatus(json::parse(R"({"spec": {"containers": [{"name": "a", "image": "nginx"}],
                                            "nodeName": null, "initContainers": null},
                                            "status": null, "metadata": null})"));
  REQUIRE(read.ok());
  CHECK(read->node_name.empty());
  CHECK(read->owners.empty());
  REQUIRE(read->containers.size() == 1);
  CHECK_FALSE(read->containers[0].has_status);
  CHECK(read->containers[0].restart_count == 0);
  CHECK_FALSE(read->containers[0].state.waiting.has_value());
}

TEST_CASE("malformed pods are errors naming the field") {
  struct Case {
    const char* pod;
    const char* error;  // a part of the message
  };
  const Case cases[] = {
      {R"([])", "a Pod must be a JSON object"},
      {R"("pod")", "a Pod must be a JSON object"},
      {R"({"kind": "Deployment", "spec": {}})", "expected a Pod, got a Deployment"},
      {R"({"kind": 3, "spec": {}})", "kind must be a string"},
      {R"({"metadata": {"name": "x"}})", "the Pod has no spec"},
      {R"({"spec": []})", "spec must be an object"},
      {R"({"metadata": {"name": 7}, "spec": {}})", "metadata.name must be a string"},
      {R"({"metadata": {"ownerReferences": {}}, "spec": {}})", "metadata.ownerReferences must be a list"},
      {R"({"metadata": {"ownerReferences": [{"controller": "yes"}]}, "spec": {}})",
       "metadata.ownerReferences[0].controller must be true or false"},
      {R"({"spec": {"containers": {}}})", "spec.containers must be a list"},
      {R"({"spec": {"containers": [1]}})", "spec.containers[0] must be an object"},
      {R"({"spec": {"containers": [{"name": "a", "image": 5}]}})", "spec.containers[0].image must be a string"},
      {R"({"spec": {"nodeName": 1}})", "spec.nodeName must be a string"},
      {R"({"spec": {}, "status": {"phase": 1}})", "status.phase must be a string"},
      {R"({"spec": {}, "status": {"containerStatuses": [[]]}})", "status.containerStatuses[0] must be an object"},
      {R"({"spec": {"containers": [{"name": "a"}]}, "status": {"containerStatuses": [{"name": "a", "restartCount": "1"}]}})",
       "status.containerStatuses[0].restartCount must be an integer"},
      {R"({"spec": {"containers": [{"name": "a"}]}, "status": {"containerStatuses": [{"name": "a", "restartCount": 1.5}]}})",
       "status.containerStatuses[0].restartCount must be an integer"},
      {R"({"spec": {"containers": [{"name": "a"}]}, "status": {"containerStatuses": [{"name": "a", "ready": 1}]}})",
       "status.containerStatuses[0].ready must be true or false"},
      {R"({"spec": {"containers": [{"name": "a"}]}, "status": {"containerStatuses": [{"name": "a", "state": {"waiting": "x"}}]}})",
       "status.containerStatuses[0].state.waiting must be an object"},
      {R"({"spec": {"initContainers": [{"name": "i"}]}, "status": {"initContainerStatuses": [{"name": "i", "lastState": {"terminated": {"exitCode": 99999999999}}}]}})",
       "status.initContainerStatuses[0].lastState.terminated.exitCode is out of range"},
      {R"({"spec": {"volumes": {}}})", "spec.volumes must be a list"},
      {R"({"spec": {"volumes": [{"name": "v", "image": {"reference": 7}}]}})",
       "spec.volumes[0].image.reference must be a string"},
      {R"({"spec": {"volumes": [{"name": "v", "image": {"reference": "r"}}], "containers": [{"name": "a", "volumeMounts": [3]}]}})",
       "spec.containers[0].volumeMounts[0] must be an object"},
  };
  for (const Case& c : cases) {
    INFO(c.pod);
    auto read = ReadPodStatus(json::parse(c.pod));
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(read.status().message(), Catch::Contains(c.error));
  }
}

TEST_CASE("RFC 3339 times as the API server writes them") {
  struct Case {
    const char* text;
    bool ok;
    long long epoch_seconds;
    long long micros;
  };
  const Case cases[] = {
      {"2024-05-01T12:00:00Z", true, 1714564800, 0},
      {"2024-05-01T12:00:00.123456Z", true, 1714564800, 123456},  // MicroTime
      {"2024-05-01T12:00:00.5Z", true, 1714564800, 500000},
      {"2024-05-01T14:00:00+02:00", true, 1714564800, 0},
      {"2024-05-01T09:30:00-02:30", true, 1714564800, 0},
      {"2024-05-01t12:00:00z", true, 1714564800, 0},
      {"2024-02-29T00:00:00Z", true, 1709164800, 0},
      {"1970-01-01T00:00:00Z", true, 0, 0},
      {"2023-02-29T00:00:00Z", false, 0, 0},
      {"2024-13-01T00:00:00Z", false, 0, 0},
      {"2024-05-01T24:00:00Z", false, 0, 0},
      {"2024-05-01T12:60:00Z", false, 0, 0},
      {"2024-05-01 12:00:00Z", false, 0, 0},
      {"2024-05-01T12:00:00", false, 0, 0},
      {"2024-05-01T12:00:00.Z", false, 0, 0},
      {"2024-05-01T12:00:00.1234567890Z", false, 0, 0},
      {"2024-05-01T12:00:00+0200", false, 0, 0},
      {"2024-05-01T12:00:00Zjunk", false, 0, 0},
      {"0001-01-01T00:00:00Z", false, 0, 0},  // outside what system_clock holds
      {"2024-5-1T12:00:00Z", false, 0, 0},
      {"", false, 0, 0},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto t = ParseRfc3339(c.text);
    REQUIRE(t.has_value() == c.ok);
    if (t) CHECK(*t == Epoch(c.epoch_seconds) + std::chrono::microseconds(c.micros));
  }
}

const char* kCoreEvents = R"json({
  "apiVersion": "v1",
  "kind": "EventList",
  "items": [
    {"kind": "Event", "type": "Warning", "reason": "Failed",
     "message": "Failed to pull image \"ghcr.io/acme/web:1.4.2\": rpc error: code = NotFound desc = failed to pull and unpack image \"ghcr.io/acme/web:1.4.2\": failed to resolve reference \"ghcr.io/acme/web:1.4.2\": ghcr.io/acme/web:1.4.2: not found",
     "count": 4, "firstTimestamp": "2024-05-01T12:00:00Z", "lastTimestamp": "2024-05-01T12:01:10Z",
     "eventTime": null,
     "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9c8f6-x2x9k", "uid": "pod-uid",
                        "apiVersion": "v1", "fieldPath": "spec.containers{app}"},
     "source": {"component": "kubelet", "host": "node-arm-1"}},
    {"kind": "Event", "type": "Warning", "reason": "Failed", "message": "Error: ErrImagePull",
     "count": 4, "firstTimestamp": "2024-05-01T12:00:00Z", "lastTimestamp": "2024-05-01T12:01:10Z",
     "involvedObject": {"kind": "Pod", "name": "web-7d4b9c8f6-x2x9k", "fieldPath": "spec.containers{app}"}},
    {"kind": "Event", "type": "Normal", "reason": "BackOff",
     "message": "Back-off pulling image \"ghcr.io/acme/web:1.4.2\"", "count": 9,
     "firstTimestamp": "2024-05-01T12:00:01Z", "lastTimestamp": "2024-05-01T12:02:00Z",
     "involvedObject": {"kind": "Pod", "name": "web-7d4b9c8f6-x2x9k", "fieldPath": "spec.containers{app}"}},
    {"kind": "Event", "type": "Warning", "reason": "Failed",
     "message": "Failed to pull image \"envoyproxy/envoy:v1.30.1\": rpc error: code = Unknown desc = context canceled",
     "count": 1, "firstTimestamp": "2024-05-01T12:00:05Z", "lastTimestamp": "2024-05-01T12:00:05Z",
     "involvedObject": {"kind": "Pod", "name": "web-7d4b9c8f6-x2x9k", "fieldPath": "spec.containers{sidecar}"}},
    "not an event",
    {"kind": "Event", "reason": 7, "count": "many", "lastTimestamp": "yesterday", "involvedObject": []}
  ]
})json";

// events.k8s.io/v1, as the newer event recorder writes: eventTime, series, note, regarding.
const char* kEventsV1 = R"json({
  "apiVersion": "events.k8s.io/v1",
  "kind": "EventList",
  "items": [
    {"type": "Warning", "reason": "Failed", "action": "Pulling",
     "note": "Failed to pull image \"ghcr.io/acme/web:1.4.2\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed",
     "eventTime": "2024-05-01T12:00:00.250000Z",
     "series": {"count": 6, "lastObservedTime": "2024-05-01T12:03:00.750000Z"},
     "deprecatedCount": 0,
     "regarding": {"kind": "Pod", "namespace": "shop", "name": "web-1", "uid": "u1",
                   "fieldPath": "spec.initContainers{migrate}"}},
    {"type": "Normal", "reason": "Pulling", "note": "Pulling image \"ghcr.io/acme/web:1.4.2\"",
     "eventTime": null, "deprecatedFirstTimestamp": "2024-05-01T11:59:00Z",
     "deprecatedLastTimestamp": "2024-05-01T12:03:00Z", "deprecatedCount": 7,
     "regarding": {"kind": "Pod", "name": "web-1"}}
  ]
})json";

TEST_CASE("core/v1 events: count, first and last time, the container they are about") {
  auto events = ReadEvents(json::parse(kCoreEvents));
  REQUIRE(events.size() == 5);  // "not an event" is skipped
  const EventView& failed = events[0];
  CHECK(failed.type == "Warning");
  CHECK(failed.reason == "Failed");
  CHECK(failed.count == 4);
  CHECK(failed.first_time == Epoch(1714564800));
  CHECK(failed.last_time == Epoch(1714564800 + 70));
  CHECK(failed.object_kind == "Pod");
  CHECK(failed.object_namespace == "shop");
  CHECK(failed.object_name == "web-7d4b9c8f6-x2x9k");
  CHECK(failed.object_uid == "pod-uid");
  CHECK(failed.field_path == "spec.containers{app}");
  // Malformed fields are left empty.
  const EventView& odd = events[4];
  CHECK(odd.reason.empty());
  CHECK(odd.count == 1);
  CHECK_FALSE(odd.last_time.has_value());
  CHECK(odd.field_path.empty());
}

TEST_CASE("events.k8s.io/v1 events: note, eventTime and series") {
  auto events = ReadEvents(json::parse(kEventsV1));
  REQUIRE(events.size() == 2);
  const EventView& failed = events[0];
  CHECK(failed.message.find("insufficient_scope") != std::string::npos);
  CHECK(failed.count == 6);
  CHECK(failed.first_time == Epoch(1714564800) + std::chrono::milliseconds(250));
  CHECK(failed.last_time == Epoch(1714564800 + 180) + std::chrono::milliseconds(750));
  CHECK(failed.field_path == "spec.initContainers{migrate}");
  CHECK(failed.object_uid == "u1");
  const EventView& pulling = events[1];
  CHECK(pulling.count == 7);
  CHECK(pulling.first_time == Epoch(1714564800 - 60));
  CHECK(pulling.last_time == Epoch(1714564800 + 180));
}

TEST_CASE("one event, a bare list, and what is not a list of events") {
  CHECK(ReadEvents(json::parse(R"({"reason": "Failed", "involvedObject": {"name": "p"}})")).size() == 1);
  CHECK(ReadEvents(json::parse(R"([{"reason": "Failed"}, 3])")).size() == 1);
  CHECK(ReadEvents(json::parse(R"({"kind": "EventList", "items": []})")).empty());
  CHECK(ReadEvents(json::parse(R"({"kind": "EventList", "items": {}})")).empty());
  CHECK(ReadEvents(json::parse(R"({"kind": "PodList", "metadata": {}})")).empty());
  CHECK(ReadEvents(json::parse("42")).empty());
  CHECK(ReadEvents(json::parse("null")).empty());
}

TEST_CASE("the times of failed pulls, for the back-off estimate") {
  auto events = ReadEvents(json::parse(kCoreEvents));
  // Only `Failed to pull image` events: not `Error: ErrImagePull`, not `BackOff`.
  CHECK(PullFailureTimes(events, "spec.containers{app}") ==
        std::vector<Clock::time_point>{Epoch(1714564800), Epoch(1714564800 + 70)});
  CHECK(PullFailureTimes(events, "spec.containers{sidecar}") == std::vector<Clock::time_point>{Epoch(1714564805)});
  CHECK(PullFailureTimes(events, "").size() == 3);
  CHECK(PullFailureTimes(events, "spec.containers{nope}").empty());
}

}  // namespace
}  // namespace pullguard::diagnose

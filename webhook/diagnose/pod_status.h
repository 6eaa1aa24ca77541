// What `pullguard diagnose` reads from the Kubernetes API, decoded from JSON: a Pod's
// containers with their states (init, regular, ephemeral, and the images of image volumes),
// its node and owners; and Events, in both the core/v1 and the events.k8s.io/v1 shapes.
// A field of the wrong type in a Pod is InvalidArgument naming the field, never an exception;
// events are read leniently (a malformed item is skipped, a malformed field left empty).
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/rfc3339.h"
#include "common/status.h"

namespace pullguard::diagnose {

enum class ContainerKind { kInit, kRegular, kEphemeral, kImageVolume };

// "init", "regular", "ephemeral", "image volume".
std::string_view ContainerKindName(ContainerKind kind);

struct WaitingState {
  std::string reason;   // ErrImagePull, ImagePullBackOff, InvalidImageName, ErrImageNeverPull...
  std::string message;
};

struct TerminatedState {
  std::string reason;   // Error, StartError, ContainerCannotRun, Completed, OOMKilled...
  std::string message;
  int exit_code = 0;
};

// One of a container status's state or lastState; all empty when the API gave none.
struct ContainerState {
  std::optional<WaitingState> waiting;
  std::optional<TerminatedState> terminated;
  bool running = false;
};

struct ContainerView {
  ContainerKind kind = ContainerKind::kRegular;
  std::string name;        // the container's name; the volume's name for an image volume
  std::string image;       // as the spec writes it (an image volume's image.reference)
  // As the kubelet writes events' involvedObject.fieldPath: spec.containers{app},
  // spec.initContainers{init}, spec.ephemeralContainers{debug}. Empty for an image volume: the
  // kubelet reports its pull on the containers that mount it (mounted_by).
  std::string field_path;
  std::vector<std::string> mounted_by;  // image volumes: names of containers with a volumeMount of it
  bool has_status = false;  // the pod's status lists this container (never for an image volume)
  std::string status_image;  // the image the status reports, often normalized (docker.io/library/...)
  std::string image_id;      // the status' imageID: set once the image was pulled
  ContainerState state;
  ContainerState last_state;
  int restart_count = 0;
  bool ready = false;
};

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
};

struct PodStatusView {
  std::string name;
  std::string namespace_name;
  std::string uid;
  std::string node_name;  // spec.nodeName; "" while the pod is not scheduled
  std::string phase;      // status.phase
  std::vector<ContainerView> containers;  // init, regular, ephemeral containers, then image volumes
  std::vector<OwnerReference> owners;     // metadata.ownerReferences
};

// `pod` is one Pod object (kind, when present, must be Pod).
Result<PodStatusView> ReadPodStatus(const nlohmann::json& pod);

struct EventView {
  std::string type;     // Normal or Warning
  std::string reason;   // Failed, BackOff, Pulling, Pulled, InspectFailed, ErrImageNeverPull...
  std::string message;  // core/v1 message; events.k8s.io/v1 note
  int count = 1;        // core/v1 count, or series.count, or deprecatedCount: the largest given
  // The first and last time it happened: core/v1 firstTimestamp/lastTimestamp,
  // events.k8s.io/v1 deprecatedFirstTimestamp/deprecatedLastTimestamp, eventTime and
  // series.lastObservedTime, whichever are set (earliest and latest of them).
  std::optional<std::chrono::system_clock::time_point> first_time;
  std::optional<std::chrono::system_clock::time_point> last_time;
  // involvedObject (core/v1) or regarding (events.k8s.io/v1).
  std::string object_kind;
  std::string object_name;
  std::string object_namespace;
  std::string object_uid;
  std::string field_path;  // e.g. spec.containers{app}
};

// The items of a core/v1 EventList or an events.k8s.io/v1 EventList (or a bare array of
// events, or one event), in their order. Anything else yields none.
std::vector<EventView> ReadEvents(const nlohmann::json& event_list);

// The times of failed pulls among `events` for the container at `field_path` (all containers
// when empty): `Failed` events whose message starts with `Failed to pull image`. Each event
// gives its first and last time (an aggregated event hides the failures between), for
// NextPullAttempt (backoff.h).
std::vector<std::chrono::system_clock::time_point> PullFailureTimes(const std::vector<EventView>& events,
                                                                    std::string_view field_path);

}  // namespace pullguard::diagnose

// What the kubelet said about a pod's images, read from its status and events for `pullguard
// diagnose`: where each image is in the Pod (the checker's field paths), which events are about
// which container or image volume, and the cause, time and back-off the kubelet reported.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/diagnose_report.h"
#include "diagnose/pod_status.h"

namespace pullguard::cli {

struct ImagePlace {
  std::string path;         // spec.containers[0].image, spec.volumes[2].image.reference
  std::string pull_policy;
};

// The key of a container (or image volume) in ImagePlaces: "KIND/NAME".
std::string PlaceKey(diagnose::ContainerKind kind, const std::string& name);

// Where each container's (and image volume's) image is in the Pod, by PlaceKey.
std::map<std::string, ImagePlace> ImagePlaces(const nlohmann::json& pod);

// The events about one container: by fieldPath; an image volume's, and events without a
// fieldPath, by the image their message quotes.
std::vector<diagnose::EventView> EventsAbout(const std::vector<diagnose::EventView>& events, const diagnose::ContainerView& c,
                                             const std::vector<std::string>& volume_images);

// What the kubelet said about `cd`'s container, from its state and `mine` (EventsAbout).
void ReadKubelet(ContainerDiagnosis& cd, const std::vector<diagnose::EventView>& mine);

}  // namespace pullguard::cli

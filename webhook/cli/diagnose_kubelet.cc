#include "cli/diagnose_kubelet.h"

#include <algorithm>
#include <set>

#include "common/json_fields.h"
#include "diagnose/backoff.h"
#include "diagnose/runtime_messages.h"

namespace pullguard::cli {
namespace {

using nlohmann::json;

// Waiting reasons of a pull that failed, and those the kubelet retries after its back-off.
const std::set<std::string>& PullErrors() {
  static const std::set<std::string> kReasons{"ErrImagePull",      "ImagePullBackOff",   "InvalidImageName",
                                              "ErrImageNeverPull", "ImageInspectError",  "RegistryUnavailable",
                                              "SignatureValidationFailed"};
  return kReasons;
}
const std::set<std::string>& BackedOff() {
  static const std::set<std::string> kReasons{"ErrImagePull", "ImagePullBackOff", "RegistryUnavailable",
                                              "SignatureValidationFailed"};
  return kReasons;
}

bool MentionsImage(const std::string& message, const std::string& image) {
  return !image.empty() && message.find("\"" + image + "\"") != std::string::npos;
}

bool IsFailureEvent(const diagnose::EventView& e) {
  if (e.reason == "Failed") return e.message.starts_with("Failed to pull image");
  return e.reason == "InspectFailed" || e.reason == "ErrImageNeverPull";
}

TimePoint LastTime(const diagnose::EventView& e) {
  return e.last_time.value_or(e.first_time.value_or(TimePoint::min()));
}

}  // namespace

std::string PlaceKey(diagnose::ContainerKind kind, const std::string& name) {
  return std::string(diagnose::ContainerKindName(kind)) + "/" + name;
}

// Where each container's (and image volume's) image is in the Pod, as the checker's findings
// name it: spec.containers[0].image, spec.volumes[2].image.reference.
std::map<std::string, ImagePlace> ImagePlaces(const json& pod) {
  std::map<std::string, ImagePlace> places;
  const json* spec = ObjectAt(pod, "spec");
  if (spec == nullptr) return places;
  const std::pair<diagnose::ContainerKind, const char*> lists[] = {{diagnose::ContainerKind::kInit, "initContainers"},
                                                                   {diagnose::ContainerKind::kRegular, "containers"},
                                                                   {diagnose::ContainerKind::kEphemeral, "ephemeralContainers"}};
  for (const auto& [kind, field] : lists) {
    const json* list = ArrayAt(*spec, field);
    if (list == nullptr) continue;
    for (size_t i = 0; i < list->size(); ++i) {
      const json& c = (*list)[i];
      places[PlaceKey(kind, StringAt(c, "name"))] = {"spec." + std::string(field) + "[" + std::to_string(i) + "].image",
                                                     StringAt(c, "imagePullPolicy")};
    }
  }
  if (const json* volumes = ArrayAt(*spec, "volumes")) {
    for (size_t i = 0; i < volumes->size(); ++i) {
      const json& v = (*volumes)[i];
      const json* image = ObjectAt(v, "image");
      if (image == nullptr) continue;
      places[PlaceKey(diagnose::ContainerKind::kImageVolume, StringAt(v, "name"))] = {
          "spec.volumes[" + std::to_string(i) + "].image.reference", StringAt(*image, "pullPolicy")};
    }
  }
  return places;
}

// The events about one container: by fieldPath; an image volume's, and events without a
// fieldPath, by the image their message quotes. The kubelet reports an image volume's pull on
// the containers that mount it: those are the volume's, not the container's.
std::vector<diagnose::EventView> EventsAbout(const std::vector<diagnose::EventView>& events, const diagnose::ContainerView& c,
                                             const std::vector<std::string>& volume_images) {
  std::vector<diagnose::EventView> out;
  for (const diagnose::EventView& e : events) {
    if (c.kind == diagnose::ContainerKind::kImageVolume || e.field_path.empty()) {
      if (MentionsImage(e.message, c.image)) out.push_back(e);
      continue;
    }
    if (e.field_path != c.field_path) continue;
    bool volume_pull = std::any_of(volume_images.begin(), volume_images.end(), [&](const std::string& image) {
      return image != c.image && MentionsImage(e.message, image);
    });
    if (!volume_pull) out.push_back(e);
  }
  return out;
}

// What the kubelet said about the container: its waiting message, else its latest failure
// event; or a start that failed with exec format error. Sets when it tries again.
void ReadKubelet(ContainerDiagnosis& cd, const std::vector<diagnose::EventView>& mine) {
  const diagnose::ContainerView& v = cd.view;
  std::vector<const diagnose::EventView*> failures;
  TimePoint pulled_at = TimePoint::min();
  for (const diagnose::EventView& e : mine) {
    if (IsFailureEvent(e)) failures.push_back(&e);
    if (e.reason == "Pulled") pulled_at = std::max(pulled_at, LastTime(e));
  }
  std::stable_sort(failures.begin(), failures.end(),
                   [](const diagnose::EventView* a, const diagnose::EventView* b) { return LastTime(*a) > LastTime(*b); });
  const diagnose::EventView* latest = failures.empty() ? nullptr : failures.front();
  for (const diagnose::EventView* e : failures) {
    if (e->reason == "Failed") cd.failure_events += std::max(1, e->count);
  }

  const std::optional<diagnose::WaitingState>& waiting = v.state.waiting;
  if (v.kind == diagnose::ContainerKind::kImageVolume) {
    // No status of its own: it fails while its latest failure is newer than its last pull.
    cd.pull_failing = latest != nullptr && LastTime(*latest) > pulled_at;
    cd.backing_off = cd.pull_failing;
  } else if (waiting) {
    cd.pull_failing = PullErrors().count(waiting->reason) > 0;
    cd.backing_off = BackedOff().count(waiting->reason) > 0;
  }

  if (cd.pull_failing) {
    std::optional<diagnose::RuntimeCause> from_status;
    if (waiting) from_status = diagnose::ClassifyWaiting(waiting->reason, waiting->message);
    std::optional<diagnose::RuntimeCause> from_event;
    if (latest != nullptr) from_event = diagnose::ClassifyPullMessage(latest->message);
    if (from_status) {
      KubeletSaid said{*from_status, waiting->message, "waiting message (" + waiting->reason + ")", std::nullopt};
      if (from_event && from_event->reason == from_status->reason) said.at = latest->last_time;
      cd.said = std::move(said);
    } else if (from_event) {
      cd.said = KubeletSaid{*from_event, latest->message, latest->reason + " event", latest->last_time};
    } else if (latest != nullptr) {
      cd.unknown_message = latest->message;
    } else if (waiting && !waiting->message.empty() && !diagnose::IsBareBackOff(waiting->message)) {
      cd.unknown_message = waiting->message;
    } else {
      cd.cause_not_recorded = true;
    }
  } else {
    // It pulled: a start that failed with exec format error names the wrong platform.
    const std::pair<const diagnose::ContainerState*, const char*> states[] = {{&v.state, "terminated state"},
                                                                             {&v.last_state, "last terminated state"}};
    for (const auto& [state, label] : states) {
      if (!state->terminated) continue;
      const diagnose::TerminatedState& t = *state->terminated;
      if (auto cause = diagnose::ClassifyTerminated(t.reason, t.message, t.exit_code)) {
        cd.said = KubeletSaid{*cause, t.message.empty() ? t.reason : t.message,
                              std::string(label) + " (" + t.reason + ", exit " + std::to_string(t.exit_code) + ")", std::nullopt};
        break;
      }
    }
    if (!cd.said && waiting &&
        (waiting->reason == "RunContainerError" || waiting->reason == "CreateContainerError" || waiting->reason == "StartError")) {
      if (auto cause = diagnose::ClassifyTerminated(waiting->reason, waiting->message, 1)) {
        cd.said = KubeletSaid{*cause, waiting->message, "waiting message (" + waiting->reason + ")", std::nullopt};
      }
    }
  }

  if (cd.backing_off) {
    cd.next_try = diagnose::NextPullAttempt(diagnose::PullFailureTimes(mine, ""));
    // An aggregated event counts the failures its first and last time hide.
    for (const diagnose::EventView* e : failures) {
      if (e->reason != "Failed" || e->count <= 1 || !e->last_time) continue;
      TimePoint by_count = diagnose::NextPullAttemptAfter(e->count, *e->last_time);
      if (!cd.next_try || by_count > *cd.next_try) cd.next_try = by_count;
      break;  // the latest one
    }
  }
}

}  // namespace pullguard::cli

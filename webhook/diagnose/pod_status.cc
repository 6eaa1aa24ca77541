#include "diagnose/pod_status.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <utility>

namespace pullguard::diagnose {
namespace {

using nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

// --- Strict readers for the Pod: absent or null is the default, another type an error. ---

Result<std::string> OptionalString(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Status::InvalidArgument(path + " must be a string");
  return it->get<std::string>();
}

Result<int> OptionalInt(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return 0;
  if (!it->is_number_integer()) return Status::InvalidArgument(path + " must be an integer");
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      return Status::InvalidArgument(path + " is out of range");
    }
    return static_cast<int>(v);
  }
  auto v = it->get<std::int64_t>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    return Status::InvalidArgument(path + " is out of range");
  }
  return static_cast<int>(v);
}

Result<bool> OptionalBool(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return false;
  if (!it->is_boolean()) return Status::InvalidArgument(path + " must be true or false");
  return it->get<bool>();
}

// nullptr when absent or null.
Result<const json*> OptionalObject(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return static_cast<const json*>(nullptr);
  if (!it->is_object()) return Status::InvalidArgument(path + " must be an object");
  return &*it;
}

Result<const json*> OptionalArray(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return static_cast<const json*>(nullptr);
  if (!it->is_array()) return Status::InvalidArgument(path + " must be a list");
  return &*it;
}

std::string Item(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

Result<ContainerState> ReadState(const json& container_status, const char* key, const std::string& path) {
  ContainerState state;
  ASSIGN_OR_RETURN(const json* s, OptionalObject(container_status, key, path));
  if (s == nullptr) return state;
  ASSIGN_OR_RETURN(const json* waiting, OptionalObject(*s, "waiting", path + ".waiting"));
  if (waiting != nullptr) {
    WaitingState w;
    ASSIGN_OR_RETURN(w.reason, OptionalString(*waiting, "reason", path + ".waiting.reason"));
    ASSIGN_OR_RETURN(w.message, OptionalString(*waiting, "message", path + ".waiting.message"));
    state.waiting = std::move(w);
  }
  ASSIGN_OR_RETURN(const json* terminated, OptionalObject(*s, "terminated", path + ".terminated"));
  if (terminated != nullptr) {
    TerminatedState t;
    ASSIGN_OR_RETURN(t.reason, OptionalString(*terminated, "reason", path + ".terminated.reason"));
    ASSIGN_OR_RETURN(t.message, OptionalString(*terminated, "message", path + ".terminated.message"));
    ASSIGN_OR_RETURN(t.exit_code, OptionalInt(*terminated, "exitCode", path + ".terminated.exitCode"));
    state.terminated = std::move(t);
  }
  ASSIGN_OR_RETURN(const json* running, OptionalObject(*s, "running", path + ".running"));
  state.running = running != nullptr;
  return state;
}

// The status fields of one container status object.
Status ReadContainerStatus(const json& cs, const std::string& path, ContainerView& out) {
  out.has_status = true;
  ASSIGN_OR_RETURN(out.status_image, OptionalString(cs, "image", path + ".image"));
  ASSIGN_OR_RETURN(out.image_id, OptionalString(cs, "imageID", path + ".imageID"));
  ASSIGN_OR_RETURN(out.restart_count, OptionalInt(cs, "restartCount", path + ".restartCount"));
  ASSIGN_OR_RETURN(out.ready, OptionalBool(cs, "ready", path + ".ready"));
  ASSIGN_OR_RETURN(out.state, ReadState(cs, "state", path + ".state"));
  ASSIGN_OR_RETURN(out.last_state, ReadState(cs, "lastState", path + ".lastState"));
  return Status::Ok();
}

struct ContainerList {
  ContainerKind kind;
  const char* spec_field;
  const char* status_field;
};

constexpr ContainerList kLists[] = {
    {ContainerKind::kInit, "initContainers", "initContainerStatuses"},
    {ContainerKind::kRegular, "containers", "containerStatuses"},
    {ContainerKind::kEphemeral, "ephemeralContainers", "ephemeralContainerStatuses"},
};

// The container statuses of one list by name (the API keys them by name).
Result<std::map<std::string, std::pair<const json*, std::string>>> StatusesByName(const json* status,
                                                                                   const char* field) {
  std::map<std::string, std::pair<const json*, std::string>> out;
  if (status == nullptr) return out;
  std::string path = std::string("status.") + field;
  ASSIGN_OR_RETURN(const json* list, OptionalArray(*status, field, path));
  if (list == nullptr) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& cs = (*list)[i];
    std::string item = Item(path, i);
    if (!cs.is_object()) return Status::InvalidArgument(item + " must be an object");
    ASSIGN_OR_RETURN(std::string name, OptionalString(cs, "name", item + ".name"));
    out.emplace(name, std::make_pair(&cs, item));
  }
  return out;
}

Status ReadContainers(const json& spec, const json* status, std::vector<ContainerView>& out) {
  for (const ContainerList& list : kLists) {
    std::string path = std::string("spec.") + list.spec_field;
    ASSIGN_OR_RETURN(auto statuses, StatusesByName(status, list.status_field));  // checked even if unused
    ASSIGN_OR_RETURN(const json* containers, OptionalArray(spec, list.spec_field, path));
    if (containers == nullptr) continue;
    for (size_t i = 0; i < containers->size(); ++i) {
      const json& c = (*containers)[i];
      std::string item = Item(path, i);
      if (!c.is_object()) return Status::InvalidArgument(item + " must be an object");
      ContainerView view;
      view.kind = list.kind;
      ASSIGN_OR_RETURN(view.name, OptionalString(c, "name", item + ".name"));
      ASSIGN_OR_RETURN(view.image, OptionalString(c, "image", item + ".image"));
      view.field_path = std::string("spec.") + list.spec_field + "{" + view.name + "}";
      auto found = statuses.find(view.name);
      if (found != statuses.end()) {
        RETURN_IF_ERROR(ReadContainerStatus(*found->second.first, found->second.second, view));
      }
      out.push_back(std::move(view));
    }
  }
  return Status::Ok();
}

// The containers (of every list) with a volumeMount named `volume`.
Result<std::vector<std::string>> MountedBy(const json& spec, const std::string& volume) {
  std::vector<std::string> names;
  for (const ContainerList& list : kLists) {
    auto containers = spec.find(list.spec_field);
    if (containers == spec.end() || !containers->is_array()) continue;  // checked by ReadContainers
    for (size_t i = 0; i < containers->size(); ++i) {
      const json& c = (*containers)[i];
      if (!c.is_object()) continue;
      std::string item = Item(std::string("spec.") + list.spec_field, i);
      ASSIGN_OR_RETURN(const json* mounts, OptionalArray(c, "volumeMounts", item + ".volumeMounts"));
      if (mounts == nullptr) continue;
      for (size_t j = 0; j < mounts->size(); ++j) {
        const json& m = (*mounts)[j];
        std::string mount = Item(item + ".volumeMounts", j);
        if (!m.is_object()) return Status::InvalidArgument(mount + " must be an object");
        ASSIGN_OR_RETURN(std::string name, OptionalString(m, "name", mount + ".name"));
        if (name != volume) continue;
        ASSIGN_OR_RETURN(std::string container, OptionalString(c, "name", item + ".name"));
        if (std::find(names.begin(), names.end(), container) == names.end()) names.push_back(container);
      }
    }
  }
  return names;
}

Status ReadImageVolumes(const json& spec, std::vector<ContainerView>& out) {
  ASSIGN_OR_RETURN(const json* volumes, OptionalArray(spec, "volumes", "spec.volumes"));
  if (volumes == nullptr) return Status::Ok();
  for (size_t i = 0; i < volumes->size(); ++i) {
    const json& v = (*volumes)[i];
    std::string item = Item("spec.volumes", i);
    if (!v.is_object()) return Status::InvalidArgument(item + " must be an object");
    ASSIGN_OR_RETURN(const json* image, OptionalObject(v, "image", item + ".image"));
    if (image == nullptr) continue;
    ContainerView view;
    view.kind = ContainerKind::kImageVolume;
    ASSIGN_OR_RETURN(view.name, OptionalString(v, "name", item + ".name"));
    ASSIGN_OR_RETURN(view.image, OptionalString(*image, "reference", item + ".image.reference"));
    ASSIGN_OR_RETURN(view.mounted_by, MountedBy(spec, view.name));
    out.push_back(std::move(view));
  }
  return Status::Ok();
}

Result<std::vector<OwnerReference>> ReadOwners(const json* metadata) {
  std::vector<OwnerReference> owners;
  if (metadata == nullptr) return owners;
  ASSIGN_OR_RETURN(const json* refs, OptionalArray(*metadata, "ownerReferences", "metadata.ownerReferences"));
  if (refs == nullptr) return owners;
  for (size_t i = 0; i < refs->size(); ++i) {
    const json& r = (*refs)[i];
    std::string item = Item("metadata.ownerReferences", i);
    if (!r.is_object()) return Status::InvalidArgument(item + " must be an object");
    OwnerReference owner;
    ASSIGN_OR_RETURN(owner.api_version, OptionalString(r, "apiVersion", item + ".apiVersion"));
    ASSIGN_OR_RETURN(owner.kind, OptionalString(r, "kind", item + ".kind"));
    ASSIGN_OR_RETURN(owner.name, OptionalString(r, "name", item + ".name"));
    ASSIGN_OR_RETURN(owner.uid, OptionalString(r, "uid", item + ".uid"));
    ASSIGN_OR_RETURN(owner.controller, OptionalBool(r, "controller", item + ".controller"));
    owners.push_back(std::move(owner));
  }
  return owners;
}

// --- Lenient readers for events: a field of another type is absent. ---

std::string StringOf(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::int64_t> IntOf(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  return it->get<std::int64_t>();
}

std::optional<TimePoint> TimeOf(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return ParseRfc3339(it->get<std::string>());
}

const json* ObjectOf(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

EventView ReadEvent(const json& e) {
  EventView view;
  view.type = StringOf(e, "type");
  view.reason = StringOf(e, "reason");
  view.message = StringOf(e, "message");
  if (view.message.empty()) view.message = StringOf(e, "note");
  const json* series = ObjectOf(e, "series");

  std::int64_t count = 1;
  for (auto c : {IntOf(e, "count"), IntOf(e, "deprecatedCount"),
                 series != nullptr ? IntOf(*series, "count") : std::optional<std::int64_t>()}) {
    if (c && *c > count) count = *c;
  }
  view.count = static_cast<int>(std::min<std::int64_t>(count, std::numeric_limits<int>::max()));

  std::optional<TimePoint> event_time = TimeOf(e, "eventTime");
  std::optional<TimePoint> firsts[] = {TimeOf(e, "firstTimestamp"), TimeOf(e, "deprecatedFirstTimestamp"), event_time};
  std::optional<TimePoint> lasts[] = {TimeOf(e, "lastTimestamp"), TimeOf(e, "deprecatedLastTimestamp"),
                                      series != nullptr ? TimeOf(*series, "lastObservedTime") : std::nullopt};
  for (const auto& t : firsts) {
    if (t && (!view.first_time || *t < *view.first_time)) view.first_time = t;
  }
  for (const auto& t : lasts) {
    if (t && (!view.last_time || *t > *view.last_time)) view.last_time = t;
  }
  for (const auto& t : firsts) {  // a single time is both
    if (t && (!view.last_time || *t > *view.last_time)) view.last_time = t;
  }
  if (!view.first_time) view.first_time = view.last_time;

  const json* object = ObjectOf(e, "involvedObject");
  if (object == nullptr) object = ObjectOf(e, "regarding");
  if (object != nullptr) {
    view.object_kind = StringOf(*object, "kind");
    view.object_name = StringOf(*object, "name");
    view.object_namespace = StringOf(*object, "namespace");
    view.object_uid = StringOf(*object, "uid");
    view.field_path = StringOf(*object, "fieldPath");
  }
  return view;
}


}  // namespace

std::string_view ContainerKindName(ContainerKind kind) {
  switch (kind) {
    case ContainerKind::kInit:
      return "init";
    case ContainerKind::kRegular:
      return "regular";
    case ContainerKind::kEphemeral:
      return "ephemeral";
    case ContainerKind::kImageVolume:
      return "image volume";
  }
  return "regular";
}

Result<PodStatusView> ReadPodStatus(const json& pod) {
  if (!pod.is_object()) return Status::InvalidArgument("a Pod must be a JSON object");
  ASSIGN_OR_RETURN(std::string kind, OptionalString(pod, "kind", "kind"));
  if (!kind.empty() && kind != "Pod") return Status::InvalidArgument("expected a Pod, got a " + kind);
  PodStatusView view;
  ASSIGN_OR_RETURN(const json* metadata, OptionalObject(pod, "metadata", "metadata"));
  if (metadata != nullptr) {
    ASSIGN_OR_RETURN(view.name, OptionalString(*metadata, "name", "metadata.name"));
    ASSIGN_OR_RETURN(view.namespace_name, OptionalString(*metadata, "namespace", "metadata.namespace"));
    ASSIGN_OR_RETURN(view.uid, OptionalString(*metadata, "uid", "metadata.uid"));
  }
  ASSIGN_OR_RETURN(view.owners, ReadOwners(metadata));
  ASSIGN_OR_RETURN(const json* spec, OptionalObject(pod, "spec", "spec"));
  if (spec == nullptr) return Status::InvalidArgument("the Pod has no spec");
  ASSIGN_OR_RETURN(view.node_name, OptionalString(*spec, "nodeName", "spec.nodeName"));
  ASSIGN_OR_RETURN(const json* status, OptionalObject(pod, "status", "status"));
  if (status != nullptr) {
    ASSIGN_OR_RETURN(view.phase, OptionalString(*status, "phase", "status.phase"));
  }
  RETURN_IF_ERROR(ReadContainers(*spec, status, view.containers));
  RETURN_IF_ERROR(ReadImageVolumes(*spec, view.containers));
  return view;
}

std::vector<EventView> ReadEvents(const json& event_list) {
  std::vector<EventView> events;
  const json* items = nullptr;
  if (event_list.is_array()) {
    items = &event_list;
  } else if (event_list.is_object()) {
    auto it = event_list.find("items");
    if (it != event_list.end()) {
      if (it->is_array()) items = &*it;
    } else if (event_list.contains("involvedObject") || event_list.contains("regarding")) {
      events.push_back(ReadEvent(event_list));
    }
  }
  if (items == nullptr) return events;
  for (const json& e : *items) {
    if (e.is_object()) events.push_back(ReadEvent(e));
  }
  return events;
}


std::vector<TimePoint> PullFailureTimes(const std::vector<EventView>& events, std::string_view field_path) {
  std::vector<TimePoint> times;
  for (const EventView& e : events) {
    if (e.reason != "Failed" || e.message.find("Failed to pull image") == std::string::npos) continue;
    if (!field_path.empty() && e.field_path != field_path) continue;
    if (e.first_time) times.push_back(*e.first_time);
    if (e.last_time && e.last_time != e.first_time) times.push_back(*e.last_time);
  }
  return times;
}

}  // namespace pullguard::diagnose

#include "audit/event_recorder.h"

#include <cstdio>
#include <ctime>

#include "common/rfc3339.h"
#include "kube/pod_reader.h"

namespace pullguard::audit {
namespace {

using nlohmann::json;


// `text` cut to at most `max` bytes, never inside a UTF-8 sequence, with "..." when cut.
std::string Cut(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

// client-go's event names: the object's name, '.', the time in nanoseconds as hex.
std::string EventName(const std::string& object, std::chrono::system_clock::time_point now) {
  long long nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", nanos);
  std::string name = object.substr(0, 253 - 1 - std::string(hex).size());
  return name + "." + hex;
}

}  // namespace

std::string EventMessage(const WorkloadResult& r, const std::vector<size_t>& containers) {
  std::string text;
  if (r.kind == "CronJob") {
    text = "the next Job" +
           (r.schedule.empty() ? std::string()
                               : " (schedule \"" + r.schedule + "\"" + (r.next_run.empty() ? "" : ", " + r.next_run) + ")") +
           " will fail to pull: ";
  }
  bool first = true;
  for (size_t c : containers) {
    if (c >= r.containers.size()) continue;
    const ContainerResult& container = r.containers[c];
    for (const Finding& f : container.findings) {
      if (!MakesUnavailable(f)) continue;
      text += (first ? "" : "; ") + std::string("container ") + container.ref.container + ": " + FormatFinding(f);
      first = false;
    }
  }
  if (first) text += "an image is unavailable";
  return Cut(text, kMaxEventMessage);
}

json ImageUnavailableEvent(const WorkloadResult& r, const std::vector<size_t>& containers, const std::string& instance,
                           std::chrono::system_clock::time_point now) {
  json involved = {{"kind", r.kind}, {"namespace", r.ns}, {"name", r.name}, {"apiVersion", r.api_version}};
  if (!r.uid.empty()) involved["uid"] = r.uid;
  if (!r.resource_version.empty()) involved["resourceVersion"] = r.resource_version;
  std::string at = FormatRfc3339(now);
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", EventName(r.name, now)}, {"namespace", r.ns}}},
          {"involvedObject", involved},
          {"type", "Warning"},
          {"reason", kEventReason},
          {"message", EventMessage(r, containers)},
          {"count", 1},
          {"firstTimestamp", at},
          {"lastTimestamp", at},
          {"source", {{"component", kEventComponent}}},
          {"reportingComponent", kEventComponent},
          {"reportingInstance", instance}};
}

EventRecorder::Outcome EventRecorder::Announce(const WorkloadResult& r, const std::vector<size_t>& containers,
                                               bool first_sight, std::string* error) {
  const std::string events = "/api/v1/namespaces/" + kube::QueryEscape(r.ns) + "/events";
  json event = ImageUnavailableEvent(r, containers, instance_, std::chrono::system_clock::now());
  if (first_sight && !r.uid.empty()) {
    std::string selector = "involvedObject.uid=" + r.uid + ",reason=" + kEventReason;
    kube::ApiResponse found = api_.Get(events + "?fieldSelector=" + kube::QueryEscape(selector) + "&limit=50",
                                       std::chrono::seconds(10));
    if (found.status == 200) {
      json list = json::parse(found.body, nullptr, false);
      auto items = list.is_object() ? list.find("items") : list.end();
      if (list.is_object() && items != list.end() && items->is_array()) {
        for (const json& item : *items) {
          if (!item.is_object()) continue;
          auto source = item.find("source");
          bool ours = source != item.end() && source->is_object() && source->value("component", "") == kEventComponent;
          if (ours && item.value("message", "") == event["message"].get<std::string>()) return Outcome::kAlreadyThere;
        }
      }
    }
    // Events that cannot be listed (RBAC, an old server): make the Event; a duplicate is better
    // than none.
  }
  kube::ApiResponse made = api_.Post(events, event.dump(), std::chrono::seconds(10));
  if (made.status == 200 || made.status == 201) return Outcome::kCreated;
  if (error != nullptr) *error = kube::ReadFailure(made, "create", "events", r.ns).message();
  return Outcome::kFailed;
}

}  // namespace pullguard::audit


#include "audit/workload.h"

#include <map>

#include "common/json_fields.h"
#include "common/rfc3339.h"
#include "workload/kinds.h"

namespace pullguard::audit {
namespace {

using nlohmann::json;

bool HasOwner(const json& meta) {
  auto it = meta.find("ownerReferences");
  return it != meta.end() && it->is_array() && !it->empty();
}

// A Job whose Complete or Failed condition is True.
bool JobFinished(const json& item) {
  const json* status = ObjectAt(item, "status");
  if (status == nullptr) return false;
  auto conditions = status->find("conditions");
  if (conditions == status->end() || !conditions->is_array()) return false;
  for (const json& c : *conditions) {
    std::string type = StringAt(c, "type");
    if ((type == "Complete" || type == "Failed") && StringAt(c, "status") == "True") return true;
  }
  return false;
}

bool PodFinished(const json& item) {
  const json* status = ObjectAt(item, "status");
  std::string phase = status == nullptr ? "" : StringAt(*status, "phase");
  return phase == "Succeeded" || phase == "Failed";
}

bool CronJobSuspended(const json& item) {
  const json* spec = ObjectAt(item, "spec");
  if (spec == nullptr) return false;
  auto it = spec->find("suspend");
  return it != spec->end() && it->is_boolean() && it->get<bool>();
}

// Each image's container, by the image's field path (as pod_spec.cc writes it).
std::map<std::string, std::string> ContainerNames(const json& spec, const std::string& prefix) {
  std::map<std::string, std::string> names;
  for (const char* field : {"initContainers", "containers", "ephemeralContainers"}) {
    auto it = spec.find(field);
    if (it == spec.end() || !it->is_array()) continue;
    for (size_t i = 0; i < it->size(); ++i) {
      names[prefix + "." + field + "[" + std::to_string(i) + "].image"] = StringAt((*it)[i], "name");
    }
  }
  if (auto it = spec.find("volumes"); it != spec.end() && it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) {
      names[prefix + ".volumes[" + std::to_string(i) + "].image.reference"] = "volume/" + StringAt((*it)[i], "name");
    }
  }
  return names;
}

}  // namespace

const std::vector<AuditedKind>& AuditedKinds() {
  static const std::vector<AuditedKind> kinds{
      {"CronJob", "batch", "batch/v1", "/apis/batch/v1", "cronjobs"},
      {"Deployment", "apps", "apps/v1", "/apis/apps/v1", "deployments"},
      {"StatefulSet", "apps", "apps/v1", "/apis/apps/v1", "statefulsets"},
      {"DaemonSet", "apps", "apps/v1", "/apis/apps/v1", "daemonsets"},
      {"ReplicaSet", "apps", "apps/v1", "/apis/apps/v1", "replicasets"},
      {"Job", "batch", "batch/v1", "/apis/batch/v1", "jobs"},
      {"Pod", "", "v1", "/api/v1", "pods"},
  };
  return kinds;
}

const AuditedKind* FindAuditedKind(std::string_view kind) {
  for (const AuditedKind& k : AuditedKinds()) {
    if (kind == k.kind) return &k;
  }
  return nullptr;
}

std::string_view SkipName(Skip skip) {
  switch (skip) {
    case Skip::kNone:
      return "none";
    case Skip::kOwned:
      return "owned";
    case Skip::kFinished:
      return "finished";
    case Skip::kSuspended:
      return "suspended";
  }
  return "none";
}

ReadItem ReadWorkload(const AuditedKind& kind, const json& item) {
  ReadItem out;
  Workload& w = out.workload;
  w.group = kind.group;
  w.kind = kind.kind;
  w.api_version = kind.api_version;
  const json* meta = ObjectAt(item, "metadata");
  if (meta != nullptr) {
    w.ns = StringAt(*meta, "namespace");
    w.name = StringAt(*meta, "name");
    w.uid = StringAt(*meta, "uid");
    w.resource_version = StringAt(*meta, "resourceVersion");
  }
  const std::string k = kind.kind;
  if ((k == "ReplicaSet" || k == "Job" || k == "Pod") && meta != nullptr && HasOwner(*meta)) {
    out.skip = Skip::kOwned;
    return out;
  }
  if ((k == "Job" && JobFinished(item)) || (k == "Pod" && PodFinished(item))) {
    out.skip = Skip::kFinished;
    return out;
  }
  if (k == "CronJob") {
    if (CronJobSuspended(item)) {
      out.skip = Skip::kSuspended;
      return out;
    }
    if (const json* spec = ObjectAt(item, "spec")) {
      w.schedule = StringAt(*spec, "schedule");
      w.time_zone = StringAt(*spec, "timeZone");
    }
    const json* status = ObjectAt(item, "status");
    const json* meta = ObjectAt(item, "metadata");
    w.schedule_since = ParseRfc3339(status != nullptr ? StringAt(*status, "lastScheduleTime") : "");
    if (!w.schedule_since) w.schedule_since = ParseRfc3339(meta != nullptr ? StringAt(*meta, "creationTimestamp") : "");

  }

  std::string prefix;
  auto found = workload::FindPodSpec(w.group, w.kind, item, &prefix);
  if (!found.ok()) {
    out.error = found.status().message();
    return out;
  }
  if (found.value() == nullptr) {
    out.error = "kind " + w.kind + " has no pod spec";
    return out;
  }
  const json& spec = *found.value();
  // The pod spec alone, at its place: {"spec": {"template": {"spec": ...}}}.
  auto location = workload::LocatePodSpec(w.group, w.kind);
  json holder = spec;
  for (auto key = location->keys.rbegin(); key != location->keys.rend(); ++key) holder = json{{*key, std::move(holder)}};
  w.object = std::move(holder);

  auto pod = workload::PodOfObject(w.group, w.kind, w.object);
  if (!pod.ok()) {
    out.error = pod.status().message();
    return out;
  }
  if (!pod.value().has_value()) {
    out.error = "kind " + w.kind + " has no pod spec";
    return out;
  }
  w.spec = pod.value()->spec;
  std::map<std::string, std::string> names = ContainerNames(spec, prefix);
  for (const workload::ImageUse& use : w.spec.images) {
    auto it = names.find(use.path);
    w.containers.push_back({use.path, it == names.end() ? std::string() : it->second, use.image});
  }
  return out;
}

}  // namespace pullguard::audit

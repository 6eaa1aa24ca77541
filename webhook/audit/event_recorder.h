// The Kubernetes Event `pullguard audit` makes when a workload's image stops being available:
// a core/v1 Event on the workload itself (involvedObject: its kind, namespace, name, uid,
// apiVersion, resourceVersion), type Warning, reason ImageUnavailable, and as message each
// newly unavailable container with the engine's words and fix (FormatFinding), so that
// `kubectl describe` and `kubectl get events` show it where people look. A CronJob's says its
// next Job will fail to pull (and when it runs, by its schedule). Messages are cut at 1 KiB.
// Thread-safety: pure functions; EventRecorder's methods may be called from any thread.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/workload_result.h"
#include "kube/api_client.h"

namespace pullguard::audit {

inline constexpr const char* kEventReason = "ImageUnavailable";
inline constexpr const char* kEventComponent = "pullguard-audit";
inline constexpr size_t kMaxEventMessage = 1024;

// The message for these containers of `result` (indexes into result.containers).
std::string EventMessage(const WorkloadResult& result, const std::vector<size_t>& containers);

// The Event object to POST to /api/v1/namespaces/NS/events. `instance`: this replica.
nlohmann::json ImageUnavailableEvent(const WorkloadResult& result, const std::vector<size_t>& containers,
                                     const std::string& instance, std::chrono::system_clock::time_point now);

class EventRecorder {
 public:
  EventRecorder(kube::ApiClient& api, std::string instance) : api_(api), instance_(std::move(instance)) {}

  enum class Outcome { kCreated, kAlreadyThere, kFailed };
  // Creates the Event. With `first_sight` (nothing was known of the workload: the audit
  // started or became the leader), it first looks for an ImageUnavailable Event pullguard
  // already made on this object with the same message, and makes none when there is one.
  Outcome Announce(const WorkloadResult& result, const std::vector<size_t>& containers, bool first_sight,
                   std::string* error);

 private:
  kube::ApiClient& api_;
  std::string instance_;
};

}  // namespace pullguard::audit

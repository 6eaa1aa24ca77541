// ChangeTracker: what the audit knew after its last cycles, per workload and container: is
// the image available, and was its loss announced (a Kubernetes Event). A cycle's results
// go in; out come the containers that went from available (or not yet seen) to unavailable
// and have not been announced: an Event is made on a change, not on every cycle. An
// announcement the API refused is not marked, so the next cycle tries again. A workload
// recreated under the same name (a new uid) starts afresh.
// Workloads that a cycle did not list although their kind was listed whole are gone, and are
// forgotten (their metric series go with them); those of a kind whose list failed are kept
// as they were. A CronJob pass (cron_pass.h) gives no kind as listed whole: it changes only the
// CronJobs it checked, and every other workload stays as the last cycle left it.
// Thread-safety: none; one owner (the audit loop).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "audit/workload_result.h"

namespace pullguard::audit {

class ChangeTracker {
 public:
  struct Announcement {
    size_t result = 0;                // index into the cycle's results
    std::vector<size_t> containers;   // indexes into that result's containers
    // The workload was not known before (the audit started, or became the leader): an Event
    // another replica or an earlier run made may already say this.
    bool first_sight = false;
  };

  // One cycle's results; `complete_kinds`: the kinds it listed to their last page (a partial
  // pass: none).
  std::vector<Announcement> Update(const std::vector<WorkloadResult>& results, const std::set<std::string>& complete_kinds);

  // The Event for these containers of `result` exists now.
  void MarkAnnounced(const WorkloadResult& result, const std::vector<size_t>& containers);

  struct Series {
    std::string ns, kind, name, container;
    bool available = true;
  };
  // Every container known, in (kind, namespace, name, container) order.
  std::vector<Series> Current() const;

  size_t workloads() const { return workloads_.size(); }
  void Clear() { workloads_.clear(); }

 private:
  struct ContainerState {
    bool available = true;
    bool announced = false;
  };
  struct Entry {
    std::string kind, ns, name, uid;
    std::map<std::string, ContainerState> containers;  // by container name
  };
  std::map<std::string, Entry> workloads_;  // by WorkloadResult::Key()
};

}  // namespace pullguard::audit

#include "audit/change_tracker.h"

namespace pullguard::audit {

std::vector<ChangeTracker::Announcement> ChangeTracker::Update(const std::vector<WorkloadResult>& results,
                                                               const std::set<std::string>& complete_kinds) {
  std::vector<Announcement> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < results.size(); ++i) {
    const WorkloadResult& r = results[i];
    const std::string key = r.Key();
    if (r.outcome == WorkloadResult::Outcome::kNotChecked) {
      seen.insert(key);  // not checked this time (a cancelled cycle): keep what was known
      continue;
    }
    seen.insert(key);
    if (r.outcome != WorkloadResult::Outcome::kChecked) {
      workloads_.erase(key);  // exempt now, or unreadable: nothing to say about its images
      continue;
    }
    auto it = workloads_.find(key);
    bool first_sight = it == workloads_.end() || it->second.uid != r.uid;
    Entry fresh{r.kind, r.ns, r.name, r.uid, {}};
    const Entry* before = first_sight ? nullptr : &it->second;
    Announcement a;
    a.result = i;
    a.first_sight = first_sight;
    for (size_t c = 0; c < r.containers.size(); ++c) {
      const ContainerResult& container = r.containers[c];
      ContainerState now;
      now.available = container.available;
      const ContainerState* prev = nullptr;
      if (before != nullptr) {
        auto p = before->containers.find(container.ref.container);
        if (p != before->containers.end()) prev = &p->second;
      }
      if (!now.available) {
        now.announced = prev != nullptr && !prev->available && prev->announced;
        if (!now.announced) a.containers.push_back(c);
      }
      fresh.containers[container.ref.container] = now;
    }
    workloads_[key] = std::move(fresh);
    if (!a.containers.empty()) out.push_back(std::move(a));
  }
  for (auto it = workloads_.begin(); it != workloads_.end();) {
    if (!seen.count(it->first) && complete_kinds.count(it->second.kind)) {
      it = workloads_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void ChangeTracker::MarkAnnounced(const WorkloadResult& result, const std::vector<size_t>& containers) {
  auto it = workloads_.find(result.Key());
  if (it == workloads_.end() || it->second.uid != result.uid) return;
  for (size_t c : containers) {
    if (c >= result.containers.size()) continue;
    auto state = it->second.containers.find(result.containers[c].ref.container);
    if (state != it->second.containers.end() && !state->second.available) state->second.announced = true;
  }
}

std::vector<ChangeTracker::Series> ChangeTracker::Current() const {
  std::vector<Series> out;
  for (const auto& [key, entry] : workloads_) {
    for (const auto& [name, state] : entry.containers) out.push_back({entry.ns, entry.kind, entry.name, name, state.available});
  }
  return out;
}

}  // namespace pullguard::audit

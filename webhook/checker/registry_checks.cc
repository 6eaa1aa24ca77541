#include "checker/registry_checks.h"

#include "common/metrics.h"

namespace pullguard::checker {
namespace {

registry::ProbeAnswer TimedOut(const registry::ProbeTarget& target, const std::string& why) {
  registry::ProbeAnswer a;
  a.reason = Reason::kCheckTimedOut;
  a.detail = why;
  a.fix = "retry; if it persists, check " + target.registry + " (pullguard's answer was not in time)";
  a.transient = true;
  return a;
}

}  // namespace

RegistryChecks::RegistryChecks(registry::Prober& prober, size_t threads) : prober_(prober), pool_(threads, 100000) {}

std::string RegistryChecks::CacheKey(const registry::ProbeTarget& t) {
  std::string key = t.registry + "/" + t.repository + (t.by_digest ? "@" : ":") + t.reference;
  key += "|platforms=";
  for (const auto& p : t.platforms) key += p.ToString() + ",";
  key += "|creds=";
  if (t.credentials.empty()) key += "anonymous";
  for (const auto& c : t.credentials) key += c.Identity() + ",";
  const auto& s = t.settings;
  key += "|ca=" + s.ca_file + "|insecure=" + (s.insecure ? "1" : "0") + "|mirror=" + s.mirror +
         "|private=" + (s.allow_private ? "1" : "0");
  return key;
}

std::shared_future<registry::ProbeAnswer> RegistryChecks::Launch(const std::string& key, registry::ProbeTarget target,
                                                                 const policy::Policy& policy, bool* coalesced) {
  std::lock_guard<std::mutex> lock(flights_mutex_);
  if (auto it = flights_.find(key); it != flights_.end()) {
    *coalesced = true;
    return it->second;
  }
  *coalesced = false;
  auto promise = std::make_shared<std::promise<registry::ProbeAnswer>>();
  std::shared_future<registry::ProbeAnswer> future = promise->get_future().share();
  flights_[key] = future;
  policy::CacheSettings cache_settings = policy.cache;
  size_t limit = policy.per_registry_concurrency;
  auto task = [this, key, target, cache_settings, limit, promise] {
    registry::ProbeAnswer answer;
    if (!limiter_.Acquire(target.registry, limit, target.deadline)) {
      answer = TimedOut(target, "too many checks against " + target.registry + " at once to finish in time");
    } else {
      answer = prober_.Probe(target);
      limiter_.Release(target.registry);
    }
    if (answer.transient && !answer.ok) {
      if (auto stale = cache_.Stale(key, cache_settings)) answer = *stale;  // stale-if-error
    }
    cache_.Put(key, answer, cache_settings);
    {
      std::lock_guard<std::mutex> flights_lock(flights_mutex_);
      flights_.erase(key);
    }
    promise->set_value(answer);
  };
  if (!pool_.Submit(task)) {
    flights_.erase(key);
    std::promise<registry::ProbeAnswer> refused;
    registry::ProbeAnswer a = TimedOut(target, "pullguard is overloaded: too many checks queued");
    refused.set_value(a);
    return refused.get_future().share();
  }
  return future;
}

std::vector<registry::ProbeAnswer> RegistryChecks::Run(const std::vector<registry::ProbeTarget>& targets,
                                                       const policy::Policy& policy,
                                                       std::chrono::steady_clock::time_point deadline,
                                                       RegistryCheckStats* stats) {
  RegistryCheckStats local;
  std::vector<std::optional<registry::ProbeAnswer>> answers(targets.size());
  std::vector<std::shared_future<registry::ProbeAnswer>> futures(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    std::string key = CacheKey(targets[i]);
    if (auto fresh = cache_.Fresh(key, policy.cache)) {
      answers[i] = *fresh;
      ++local.cache_hits;
      continue;
    }
    bool coalesced = false;
    futures[i] = Launch(key, targets[i], policy, &coalesced);
    ++(coalesced ? local.coalesced : local.probes);
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    if (answers[i]) continue;
    if (futures[i].wait_until(deadline) == std::future_status::ready) {
      answers[i] = futures[i].get();
    } else {
      answers[i] = TimedOut(targets[i], "no answer from " + targets[i].registry + " before the admission deadline");
      ++local.timed_out;
    }
  }
  if (stats) *stats = local;
  CountRegistryChecks(local.cache_hits, local.probes, local.coalesced, local.timed_out);
  std::vector<registry::ProbeAnswer> out;
  out.reserve(answers.size());
  for (auto& a : answers) out.push_back(std::move(*a));
  return out;
}

}  // namespace pullguard::checker

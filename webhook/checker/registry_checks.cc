#include "checker/registry_checks.h"

#include "common/metrics.h"

namespace pullguard::checker {
namespace {

registry::ProbeResult Expired(const registry::ProbeTarget& target) {
  registry::ProbeResult r;
  r.failure.host = target.hosts.empty() ? target.registry : target.hosts.front().host;
  r.failure.transport = registry::TransportError::kTimeout;
  r.failure.transport_detail = "waited for a free slot past the check budget";
  return r;
}

}  // namespace

RegistryChecks::RegistryChecks(registry::Prober& prober, size_t workers, ResultCache::Now now)
    : prober_(prober), cache_(std::move(now)), scheduler_(std::make_unique<ProbeScheduler>(workers, 100000)) {}

RegistryChecks::~RegistryChecks() { scheduler_.reset(); }

size_t RegistryChecks::in_flight() const {
  std::lock_guard<std::mutex> lock(flights_mutex_);
  return flights_.size();
}

std::string RegistryChecks::CacheKey(const registry::ProbeTarget& t) {
  std::string key = t.registry + "/" + t.repository + (t.by_digest ? "@" : ":") + t.reference;
  key += "|platforms=";
  for (const auto& p : t.platforms) key += p.ToString() + ",";
  key += "|creds=";
  if (t.credentials.empty()) key += "anonymous";
  for (const auto& c : t.credentials) key += c.Identity() + ",";
  key += "|hosts=";
  for (const auto& h : t.hosts) key += h.Key() + ";";
  if (t.proxy != nullptr && !t.proxy->empty()) {
    const ProxySettings& p = t.proxy->settings();
    key += "|proxy=" + p.https_proxy + "," + p.http_proxy + "," + p.no_proxy;
  }
  return key;
}

std::optional<RegistryChecks::Future> RegistryChecks::Launch(const std::string& key, registry::ProbeTarget target,
                                                             const policy::Policy& policy, const std::string& group,
                                                             const std::string& tenant, bool* coalesced) {
  std::lock_guard<std::mutex> lock(flights_mutex_);
  if (auto it = flights_.find(key); it != flights_.end()) {
    *coalesced = true;
    return it->second;
  }
  *coalesced = false;
  auto promise = std::make_shared<std::promise<registry::ProbeResult>>();
  Future future = promise->get_future().share();
  policy::CacheSettings cache_settings = policy.cache;
  // The probe's own budget starts now, whatever its first caller's deadline.
  target.deadline = std::chrono::steady_clock::now() + policy.timeouts.probe;
  target.connect_timeout = policy.timeouts.connect;
  auto finish = [this, key, promise, cache_settings](registry::ProbeResult answer, bool from_registry) {
    if (from_registry) {
      if (answer.Transient()) {
        if (auto stale = cache_.Stale(key, cache_settings)) {
          answer = *stale;  // stale-if-error; the old answer keeps the time it was learned
          CountStaleAnswer();
        }
      } else {
        cache_.Put(key, answer, cache_settings);
      }
    }
    {
      std::lock_guard<std::mutex> flights_lock(flights_mutex_);
      flights_.erase(key);
    }
    promise->set_value(std::move(answer));
  };
  ProbeScheduler::Job job;
  job.registry = target.registry;
  job.limit = policy.per_registry_concurrency;
  job.group = group;
  job.tenant = tenant;
  job.deadline = target.deadline;
  job.run = [this, target, finish] {
    registry::ProbeResult answer;
    try {
      answer = prober_.Probe(target);
    } catch (const std::exception& e) {  // a bug must not leave callers waiting
      answer.failure.transport = registry::TransportError::kOther;
      answer.failure.transport_detail = std::string("internal error: ") + e.what();
    }
    finish(std::move(answer), true);
  };
  job.expire = [target, finish] { finish(Expired(target), false); };
  if (!scheduler_->Submit(std::move(job))) return std::nullopt;
  flights_[key] = future;
  return future;
}

std::vector<CheckAnswer> RegistryChecks::Run(std::vector<registry::ProbeTarget> targets, const policy::Policy& policy,
                                             std::chrono::steady_clock::time_point deadline, const std::string& tenant,
                                             RegistryCheckStats* stats, const std::string& group) {
  RegistryCheckStats local;
  std::vector<CheckAnswer> answers(targets.size());
  std::vector<std::optional<Future>> futures(targets.size());
  std::vector<std::string> registries(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    registries[i] = targets[i].registry;
    std::string key = CacheKey(targets[i]);
    if (auto fresh = cache_.Fresh(key, policy.cache)) {
      answers[i].result = std::move(fresh);
      ++local.cache_hits;
      continue;
    }
    bool coalesced = false;
    futures[i] = Launch(key, std::move(targets[i]), policy, group, tenant, &coalesced);
    if (!futures[i]) {
      answers[i].why = "pullguard is overloaded: too many checks queued";
      ++local.timed_out;
      continue;
    }
    ++(coalesced ? local.coalesced : local.probes);
  }
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].result || !futures[i]) continue;
    if (futures[i]->wait_until(deadline) == std::future_status::ready) {
      answers[i].result = futures[i]->get();
    } else {
      answers[i].why = "no answer from " + registries[i] + " before the admission deadline";
      ++local.timed_out;
    }
  }
  if (stats) *stats = local;
  CountRegistryChecks(local.cache_hits, local.probes, local.coalesced, local.timed_out);
  return answers;
}

}  // namespace pullguard::checker

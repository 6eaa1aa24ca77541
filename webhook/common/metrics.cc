#include "common/metrics.h"

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>

namespace pullguard {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::map<std::string, double>> counters;  // name -> labels -> value
};

Registry& Get() {
  static Registry* registry = new Registry();  // lives until exit; handlers may count late
  return *registry;
}

const std::map<std::string, std::string>& Help() {
  static const std::map<std::string, std::string> help{
      {"pullguard_reviews_total", "AdmissionReviews answered, by decision."},
      {"pullguard_review_seconds_total", "Time spent answering AdmissionReviews."},
      {"pullguard_findings_total", "Findings reported, by reason code and action."},
      {"pullguard_registry_checks_total", "Registry checks, by outcome (cache hit, probe, joined, timed out)."},
      {"pullguard_reloads_total", "Files reloaded, by kind and result."},
  };
  return help;
}

// Fixed series, indexed; rendered with the rest.
constexpr const char* kDecisions[] = {"allow", "deny", "error"};
std::atomic<uint64_t> g_reviews[3];
std::atomic<uint64_t> g_review_nanos{0};
std::atomic<uint64_t> g_findings[32][3];
constexpr const char* kOutcomes[] = {"cache_hit", "probe", "joined", "timed_out"};
std::atomic<uint64_t> g_checks[4];

size_t ActionIndex(Action a) { return a == Action::kDeny ? 0 : a == Action::kWarn ? 1 : 2; }

}  // namespace

void CountReview(std::string_view decision, double seconds) {
  size_t i = decision == "allow" ? 0 : decision == "deny" ? 1 : 2;
  g_reviews[i].fetch_add(1, std::memory_order_relaxed);
  g_review_nanos.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void CountFinding(Reason reason, Action action) {
  size_t r = static_cast<size_t>(reason);
  if (r < 32) g_findings[r][ActionIndex(action)].fetch_add(1, std::memory_order_relaxed);
}

void CountRegistryChecks(uint64_t cache_hits, uint64_t probes, uint64_t joined, uint64_t timed_out) {
  uint64_t values[4] = {cache_hits, probes, joined, timed_out};
  for (int i = 0; i < 4; ++i) {
    if (values[i]) g_checks[i].fetch_add(values[i], std::memory_order_relaxed);
  }
}

void CountMetric(const std::string& name, const std::string& labels, double value) {
  Registry& r = Get();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.counters[name][labels] += value;
}

std::string RenderMetrics() {
  // Fold the hot-path atomics into the registry's shape, then render everything alike.
  std::map<std::string, std::map<std::string, double>> fixed;
  for (int i = 0; i < 3; ++i) {
    if (uint64_t v = g_reviews[i].load()) fixed["pullguard_reviews_total"][std::string("decision=\"") + kDecisions[i] + "\""] = v;
  }
  if (uint64_t n = g_review_nanos.load()) fixed["pullguard_review_seconds_total"][""] = n / 1e9;
  for (Reason reason : AllReasons()) {
    for (Action action : {Action::kDeny, Action::kWarn, Action::kIgnore}) {
      uint64_t v = g_findings[static_cast<size_t>(reason)][ActionIndex(action)].load();
      if (v) {
        fixed["pullguard_findings_total"]["reason=\"" + std::string(ReasonName(reason)) + "\",action=\"" +
                                          std::string(ActionName(action)) + "\""] = v;
      }
    }
  }
  for (int i = 0; i < 4; ++i) {
    if (uint64_t v = g_checks[i].load()) fixed["pullguard_registry_checks_total"][std::string("outcome=\"") + kOutcomes[i] + "\""] = v;
  }
  Registry& r = Get();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (auto& [name, series] : fixed) r.counters[name] = series;  // snapshots of the atomics
  std::string out;
  for (const auto& [name, series] : r.counters) {
    auto help = Help().find(name);
    if (help != Help().end()) out += "# HELP " + name + " " + help->second + "\n";
    out += "# TYPE " + name + " counter\n";
    for (const auto& [labels, value] : series) {
      char number[64];
      std::snprintf(number, sizeof number, "%.17g", value);
      out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + number + "\n";
    }
  }
  return out;
}

}  // namespace pullguard

#include "common/metrics.h"

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

}  // namespace

void CountMetric(const std::string& name, const std::string& labels, double value) {
  Registry& r = Get();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.counters[name][labels] += value;
}

std::string RenderMetrics() {
  Registry& r = Get();
  std::lock_guard<std::mutex> lock(r.mutex);
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

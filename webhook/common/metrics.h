// Metrics: counters in Prometheus text format for GET /metrics. Label values come from fixed
// sets (decisions, reason codes, actions, cache outcomes): never images, hosts or secrets,
// so cardinality stays bounded and nothing sensitive is exported.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <string>

namespace pullguard {

// Adds `value` to the counter `name{labels}`; `labels` as written in the exposition format,
// e.g. R"(decision="deny")", or "".
void CountMetric(const std::string& name, const std::string& labels = "", double value = 1);

// Every counter, with HELP/TYPE lines for the known ones.
std::string RenderMetrics();

}  // namespace pullguard

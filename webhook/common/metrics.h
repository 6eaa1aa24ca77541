// Metrics: counters in Prometheus text format for GET /metrics. Label values come from fixed
// sets (decisions, reason codes, actions, cache outcomes): never images, hosts or secrets,
// so cardinality stays bounded and nothing sensitive is exported.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/reason.h"

namespace pullguard {

// Hot-path counters, one atomic add each (no lock, no string building).
void CountReview(std::string_view decision, double seconds);  // decision: allow, deny, error
void CountFinding(Reason reason, Action action);
void CountRegistryChecks(uint64_t cache_hits, uint64_t probes, uint64_t joined, uint64_t timed_out);

// For rare events (reloads): adds `value` to the counter `name{labels}`; `labels` as written
// in the exposition format, e.g. R"(kind="policy")", or "".
void CountMetric(const std::string& name, const std::string& labels = "", double value = 1);

// Every counter, with HELP/TYPE lines for the known ones.
std::string RenderMetrics();

}  // namespace pullguard

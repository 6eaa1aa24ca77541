#include "audit/audit_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <chrono>
#include <tuple>

#include "common/metrics.h"

namespace pullguard::audit {
namespace {

std::string SeriesKey(const ChangeTracker::Series& s) { return s.kind + "/" + s.ns + "/" + s.name + "/" + s.container; }

}  // namespace

std::vector<ChangeTracker::Series> SelectSeries(std::vector<ChangeTracker::Series> series, size_t max, size_t* dropped) {
  *dropped = 0;
  if (series.size() <= max) return series;
  auto order = [](const ChangeTracker::Series& a, const ChangeTracker::Series& b) {
    if (a.available != b.available) return !a.available;
    return std::tie(a.kind, a.ns, a.name, a.container) < std::tie(b.kind, b.ns, b.name, b.container);
  };
  std::sort(series.begin(), series.end(), order);
  *dropped = series.size() - max;
  series.resize(max);
  return series;
}

AuditMetrics::AuditMetrics()
    : available_(prometheus::BuildGauge()
                     .Name("pullguard_audit_image_available")
                     .Help("1 when the workload's container image pulls as the audit checked it, 0 when every pull fails now.")
                     .Register(MetricsRegistry())),
      findings_(prometheus::BuildGauge()
                    .Name("pullguard_audit_findings")
                    .Help("Findings of the last audit cycle, by reason code.")
                    .Register(MetricsRegistry())),
      dropped_(prometheus::BuildGauge()
                   .Name("pullguard_audit_series_dropped")
                   .Help("pullguard_audit_image_available series not exported in the last cycle (past audit.maxSeries).")
                   .Register(MetricsRegistry())
                   .Add({})),
      cycles_(prometheus::BuildCounter()
                  .Name("pullguard_audit_cycles_total")
                  .Help("Audit cycles, by result: complete, partial (a kind could not be listed), failed.")
                  .Register(MetricsRegistry())),
      last_cycle_(prometheus::BuildGauge()
                      .Name("pullguard_audit_last_cycle_timestamp_seconds")
                      .Help("When the last audit cycle ended, in seconds since the epoch.")
                      .Register(MetricsRegistry())
                      .Add({})),
      duration_(prometheus::BuildGauge()
                    .Name("pullguard_audit_cycle_duration_seconds")
                    .Help("How long the last audit cycle took.")
                    .Register(MetricsRegistry())
                    .Add({})),
      workloads_(prometheus::BuildGauge()
                     .Name("pullguard_audit_workloads")
                     .Help("Workloads checked in the last audit cycle.")
                     .Register(MetricsRegistry())
                     .Add({})),
      checks_(prometheus::BuildGauge()
                  .Name("pullguard_audit_registry_checks")
                  .Help("Registry checks (one image with one set of credentials) the last audit cycle made.")
                  .Register(MetricsRegistry())
                  .Add({})),
      events_(prometheus::BuildCounter()
                  .Name("pullguard_audit_events_total")
                  .Help("ImageUnavailable Events, by result: created, already_there, failed.")
                  .Register(MetricsRegistry())),
      cron_passes_(prometheus::BuildCounter()
                       .Name("pullguard_audit_cron_passes_total")
                       .Help("CronJob passes between audit cycles: the CronJobs that run before the next cycle, re-checked before their run.")
                       .Register(MetricsRegistry())
                       .Add({})),
      leader_(prometheus::BuildGauge()
                  .Name("pullguard_audit_leader")
                  .Help("1 while this replica holds the audit Lease.")
                  .Register(MetricsRegistry())
                  .Add({})) {
  for (const char* result : {"complete", "partial", "failed"}) cycles_.Add({{"result", result}});
  for (const char* result : {"created", "already_there", "failed"}) events_.Add({{"result", result}});
}

void AuditMetrics::Publish(const std::vector<ChangeTracker::Series>& series, size_t max_series) {
  size_t dropped = 0;
  std::vector<ChangeTracker::Series> kept = SelectSeries(series, max_series, &dropped);
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, prometheus::Gauge*> now;
  for (const auto& s : kept) {
    std::string key = SeriesKey(s);
    prometheus::Gauge* gauge = nullptr;
    if (auto it = exported_.find(key); it != exported_.end()) {
      gauge = it->second;
    } else {
      gauge = &available_.Add({{"namespace", s.ns}, {"kind", s.kind}, {"name", s.name}, {"container", s.container}});
    }
    gauge->Set(s.available ? 1 : 0);
    now[key] = gauge;
  }
  for (const auto& [key, gauge] : exported_) {
    if (!now.count(key)) available_.Remove(gauge);
  }
  exported_ = std::move(now);
  dropped_.Set(static_cast<double>(dropped));
}

void AuditMetrics::SetFindings(const std::map<Reason, size_t>& by_reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Reason reason : AllReasons()) {
    auto it = by_reason.find(reason);
    size_t n = it == by_reason.end() ? 0 : it->second;
    std::map<std::string, std::string> labels{{"reason", std::string(ReasonName(reason))}};
    // A reason never seen needs no series; one seen before drops to 0.
    if (n == 0 && !findings_.Has(labels)) continue;
    findings_.Add(labels).Set(static_cast<double>(n));
  }
}

void AuditMetrics::CycleDone(CycleResult result, double seconds, size_t workloads, uint64_t registry_checks) {
  const char* name = result == CycleResult::kComplete ? "complete" : result == CycleResult::kPartial ? "partial" : "failed";
  cycles_.Add({{"result", name}}).Increment();
  last_cycle_.Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  duration_.Set(seconds);
  if (result == CycleResult::kFailed) return;
  workloads_.Set(static_cast<double>(workloads));
  checks_.Set(static_cast<double>(registry_checks));
}

void AuditMetrics::CountEvent(std::string_view result) { events_.Add({{"result", std::string(result)}}).Increment(); }

void AuditMetrics::CronPassDone() { cron_passes_.Increment(); }

void AuditMetrics::SetLeader(bool leading) { leader_.Set(leading ? 1 : 0); }

void AuditMetrics::Clear() {
  Publish({}, 1);
  SetFindings({});
}

}  // namespace pullguard::audit

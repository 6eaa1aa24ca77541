// The audit's metrics, registered (on the one registry /metrics renders) only by `pullguard
// audit`, never by the webhook:
//   pullguard_audit_image_available{namespace,kind,name,container}  1 or 0 (gauge)
//   pullguard_audit_findings{reason}            findings of the last cycle, by reason (gauge)
//   pullguard_audit_series_dropped              series not exported past audit.maxSeries (gauge)
//   pullguard_audit_cycles_total{result}        complete, partial (a kind could not be listed), failed
//   pullguard_audit_last_cycle_timestamp_seconds, pullguard_audit_cycle_duration_seconds,
//   pullguard_audit_workloads, pullguard_audit_registry_checks  (the last cycle)
//   pullguard_audit_events_total{result}        created, already_there, failed
//   pullguard_audit_cron_passes_total           CronJob passes between cycles (cron_pass.h)
//   pullguard_audit_leader                      1 while this replica holds the Lease
// The per-workload gauge is the only metric with a namespace or a name in its labels; it is
// bounded: series of workloads that are gone are removed, at most audit.maxSeries are exported
// (unavailable images first), and the rest are counted.
// Thread-safety: every method may be called from any thread; a scrape may run meanwhile.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "audit/change_tracker.h"
#include "common/reason.h"

namespace pullguard::audit {

// Which series to export when there are more than `max`: the unavailable ones first, then the
// rest, each in (kind, namespace, name, container) order. `*dropped` gets how many are left out.
std::vector<ChangeTracker::Series> SelectSeries(std::vector<ChangeTracker::Series> series, size_t max, size_t* dropped);

class AuditMetrics {
 public:
  AuditMetrics();

  // Exports `series` (within `max_series`); series exported before and not now are removed.
  void Publish(const std::vector<ChangeTracker::Series>& series, size_t max_series);
  void SetFindings(const std::map<Reason, size_t>& by_reason);
  enum class CycleResult { kComplete, kPartial, kFailed };
  void CycleDone(CycleResult result, double seconds, size_t workloads, uint64_t registry_checks);
  void CountEvent(std::string_view result);  // created, already_there, failed
  // A CronJob pass ran: it changes no cycle metric (the findings and counts stay the last
  // cycle's); the gauges are published again from the tracker.
  void CronPassDone();
  void SetLeader(bool leading);
  // A replica that does not lead exports no per-workload series and no findings.
  void Clear();

 private:
  std::mutex mutex_;
  prometheus::Family<prometheus::Gauge>& available_;
  prometheus::Family<prometheus::Gauge>& findings_;
  prometheus::Gauge& dropped_;
  prometheus::Family<prometheus::Counter>& cycles_;
  prometheus::Gauge& last_cycle_;
  prometheus::Gauge& duration_;
  prometheus::Gauge& workloads_;
  prometheus::Gauge& checks_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Counter& cron_passes_;
  prometheus::Gauge& leader_;
  std::map<std::string, prometheus::Gauge*> exported_;  // by "kind/ns/name/container"
};

}  // namespace pullguard::audit

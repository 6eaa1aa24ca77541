// `pullguard audit`: re-checks the images of every workload that runs, on a schedule, with the
// webhook's engine (audit/). Its own Deployment (manifests/audit), not a mode of `serve`: the
// webhook's replicas scale with admission traffic and must answer in milliseconds, while the
// audit is one long loop that lists the whole cluster and needs write access (a Lease, Events)
// the webhook does not have; apart, neither can slow or widen the other.
//   --once: one cycle, a report on stdout (text or JSON), nothing written to the cluster.
//   otherwise: a loop. One replica audits at a time (a coordination.k8s.io Lease), exports
//   pullguard_audit_* on --metrics-listen, and makes an Event on a workload whose image
//   stops being available. Between two cycles, CronJob passes re-check the CronJobs that run
//   before the next cycle, shortly before their run (audit/cron_pass.h).
#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "audit/audit_metrics.h"
#include "audit/change_tracker.h"
#include "audit/cron_pass.h"
#include "audit/cycle.h"
#include "audit/event_recorder.h"
#include "audit/leadership.h"
#include "audit/metrics_listener.h"
#include "audit/nodes_without_images.h"
#include "audit/report.h"
#include "checker/checker.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/credential_flags.h"
#include "cli/version.h"
#include "common/log.h"
#include "common/metrics.h"
#include "kube/kube_sources.h"
#include "kube/pod_reader.h"
#include "policy/default_policy.h"
#include "policy/policy_store.h"
#include "registry/curl_transport.h"
#include "registry/registry_client.h"

namespace pullguard::cli {
namespace {

constexpr const char* kAuditHelp = R"(Usage: pullguard audit [--once [-o text|json]] [flags]

Re-checks the images of every workload that runs (Deployments, StatefulSets, DaemonSets,
CronJobs, and ReplicaSets, Jobs and Pods without an owner) with the credentials each would pull
with, as the webhook checks them at admission: a tag deleted or a pull secret rotated after
admission is found before the next rollout, node replacement or CronJob run pulls it. Each
distinct image is asked once per cycle, however many workloads share it.

  --once                 one cycle, its report on stdout, then exit; nothing is written to the
                         cluster (no Lease, no Events)
  -o, --output FORMAT    with --once: text (default) or json
  -n, --namespace NS     audit only this namespace (default: every namespace)
  --kubeconfig FILE      the cluster (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)
  --context NAME         a kubeconfig context other than the current one
  --policy FILE          the policy (default: policies/default.yaml, built in); its audit: block
                         sets the interval, the checks per second, the series cap and how long
                         before a CronJob's run it is re-checked between cycles; re-read when it
                         changes
  --docker-config FILE   the nodes' docker config (the kubelet's config.json), when they have one
  --image-credential-provider-config FILE, --image-credential-provider-bin-dir DIR
                         the kubelet's credential provider plugins, as the nodes run them
  --page-size N          objects per list page (default 100)

Without --once (in the cluster: manifests/audit):
  --metrics-listen HOST:PORT  plain HTTP GET /metrics and /healthz (default 0.0.0.0:9090)
  --lease-name NAME           the coordination.k8s.io Lease that picks the one replica that
                              audits (default pullguard-audit)
  --lease-namespace NS        its namespace (default: the pod's own, else the kubeconfig
                              context's, else pullguard-system)
  --lease-duration-seconds N  how long a silent holder keeps it (default 15)
  --identity ID               this replica in the Lease (default: hostname and a random suffix)
  --log-level LEVEL           debug, info, warn or error (default info)

Exit status (--once): 0 every image is available, 1 an image is unavailable, 2 a usage error or
nothing could be listed. Without --once: 0 after SIGTERM or SIGINT (the Lease is handed back).
)";


Result<long> Positive(const Args& args, const char* flag, long fallback, long max) {
  if (!args.Has(flag)) return fallback;
  const std::string value = args.Get(flag);
  char* end = nullptr;
  long n = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || n <= 0 || n > max) {
    return Status::InvalidArgument(std::string("--") + flag + " must be a number from 1 to " + std::to_string(max));
  }
  return n;
}

std::string DefaultIdentity() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "pullguard-audit");
  std::random_device device;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(device()));
  return std::string(host) + "_" + suffix;
}

// The policy of one cycle: the store's, with --docker-config over nodeDockerConfig.
policy::Policy PolicyOf(const policy::PolicyStore& store, const Args& args) {
  policy::Policy p = *store.Current();
  if (args.Has("docker-config") && args.Get("docker-config") != "none") p.node_docker_config = args.Get("docker-config");
  return p;
}

audit::AuditMetrics::CycleResult ResultOf(const audit::CycleReport& report) {
  if (!report.error.empty() || report.complete_kinds.empty()) return audit::AuditMetrics::CycleResult::kFailed;
  return report.failed_kinds.empty() ? audit::AuditMetrics::CycleResult::kComplete : audit::AuditMetrics::CycleResult::kPartial;
}

nlohmann::json CycleLogFields(const audit::CycleReport& report) {
  nlohmann::json not_listed = nlohmann::json::object();
  for (const auto& [kind, why] : report.failed_kinds) not_listed[kind] = why;
  return {{"workloads", report.checked()},   {"unavailable", report.unavailable()},
          {"images", report.images},         {"imageChecks", report.image_checks},
          {"registryChecks", report.registry_checks}, {"pages", report.pages},
          {"skipped", report.skipped},       {"kindsNotListed", not_listed},
          {"durationMs", static_cast<long long>(report.seconds * 1000)}};
}

}  // namespace

int RunAudit(const std::vector<std::string>& argv) {
  auto parsed = ParseArgs(argv, {{"once", "", false}, {"output", "o"}, {"namespace", "n"}, {"kubeconfig", ""}, {"context", ""},
                                 {"policy", ""}, {"docker-config", ""}, {"image-credential-provider-config", ""},
                                 {"image-credential-provider-bin-dir", ""}, {"page-size", ""}, {"metrics-listen", ""},
                                 {"lease-name", ""}, {"lease-namespace", ""}, {"lease-duration-seconds", ""},
                                 {"identity", ""}, {"log-level", ""}, {"help", "h", false}});
  if (!parsed.ok()) return Fail("audit", parsed.status().message());
  const Args& args = parsed.value();
  if (args.Has("help")) {
    std::cout << kAuditHelp;
    return kExitOk;
  }
  if (!args.positional.empty()) return Fail("audit", "unexpected argument \"" + args.positional[0] + "\" (see --help)");
  const bool once = args.Has("once");
  const std::string format = args.Get("output", "text");
  if (format != "text" && format != "json") return Fail("audit", "-o must be text or json");
  if (!once && args.Has("output")) return Fail("audit", "-o goes with --once (the loop reports through /metrics and Events)");
  if (once) {
    for (const char* flag : {"metrics-listen", "lease-name", "lease-namespace", "lease-duration-seconds", "identity"}) {
      if (args.Has(flag)) return Fail("audit", std::string("--") + flag + " is for the loop, not --once");
    }
  }
  auto page_size = Positive(args, "page-size", 100, 500);
  if (!page_size.ok()) return Fail("audit", page_size.status().message());
  auto lease_seconds = Positive(args, "lease-duration-seconds", 15, 3600);
  if (!lease_seconds.ok()) return Fail("audit", lease_seconds.status().message());
  if (args.Has("log-level")) {
    std::string level = args.Get("log-level");
    if (level == "debug") SetLogLevel(LogLevel::kDebug);
    else if (level == "info") SetLogLevel(LogLevel::kInfo);
    else if (level == "warn") SetLogLevel(LogLevel::kWarn);
    else if (level == "error") SetLogLevel(LogLevel::kError);
    else return Fail("audit", "--log-level must be debug, info, warn or error");
  }

  // The loop's signals go to one thread that asks it to stop; every other thread (the
  // registry transport's, the log writer's, the Lease's) is started after this and has them
  // blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  if (!once) {
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
  }

  std::unique_ptr<policy::PolicyStore> policies;
  if (args.Has("policy")) {
    auto opened = policy::PolicyStore::Open(args.Get("policy"));
    if (!opened.ok()) return Fail("audit", opened.status().message());
    policies = std::move(opened).value();
  } else {
    policies = std::make_unique<policy::PolicyStore>(policy::DefaultPolicy());
  }
  {
    // The credential provider flags are refused now, not at the first cycle.
    checker::Checker offline;
    if (Status flags = ApplyCredentialProviderFlags(args, offline); !flags.ok()) return Fail("audit", flags.message());
  }

  std::string context_ns;
  auto config = kube::FindKubeConfig(args.Get("kubeconfig"), args.Get("context"), &context_ns);
  if (!config.ok()) return Fail("audit", config.status().message());
  kube::ApiClient api(config.value());
  kube::KubeSecretSource secrets(api);
  kube::KubeServiceAccountSource accounts(api);
  kube::KubeNodeSource nodes(api);
  audit::NodesWithoutImages nodes_without_images(nodes);
  checker::ClusterSources sources{&secrets, &accounts, &nodes_without_images};
  registry::CurlTransport transport;
  registry::RegistryClient client(transport);

  audit::CycleOptions options;
  options.list.ns = args.Get("namespace");
  options.list.page_size = static_cast<size_t>(page_size.value());
  options.configure = [&args](checker::Checker& c) { return ApplyCredentialProviderFlags(args, c); };

  if (once) {
    audit::CycleReport report = audit::RunCycle(api, client, sources, PolicyOf(*policies, args), options);
    if (format == "json") {
      std::cout << audit::ReportJson(report, kVersion).dump(2) << "\n";
    } else {
      audit::RenderReportText(report, std::cout);
    }
    std::cout << std::flush;
    FlushLog();
    return audit::ReportExitCode(report);
  }

  // The loop.
  SetBuildInfo(kVersion);
  audit::AuditMetrics metrics;
  audit::MetricsListener listener([] { return RenderMetrics(); });
  if (Status st = listener.Start(args.Get("metrics-listen", "0.0.0.0:9090")); !st.ok()) return Fail("audit", st.message());

  audit::LeaderOptions leader;
  leader.identity = args.Get("identity", DefaultIdentity());
  leader.ns = args.Get("lease-namespace", context_ns.empty() ? "pullguard-system" : context_ns);
  leader.name = args.Get("lease-name", "pullguard-audit");
  leader.lease_duration = std::chrono::seconds(lease_seconds.value());
  Log(LogLevel::kInfo, "audit: starting",
      {{"server", config->server}, {"lease", leader.ns + "/" + leader.name}, {"identity", leader.identity},
       {"metricsPort", listener.port()}, {"namespace", options.list.ns.empty() ? "(all)" : options.list.ns}});

  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  audit::Leadership leadership(api, leader, [&](bool leading) {
    metrics.SetLeader(leading);
    wake.notify_all();
  });
  std::thread signal_thread([&, signals] {
    int received = 0;
    sigwait(&signals, &received);
    Log(LogLevel::kInfo, "signal received", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    wake.notify_all();
  });
  auto stopping = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return stop;
  };
  options.cancelled = [&] { return stopping() || !leadership.leading(); };
  leadership.Start();

  audit::ChangeTracker tracker;
  audit::EventRecorder recorder(api, leader.identity);
  audit::CronWatch cron;
  // An Event for each workload of `report` that went bad. `complete_kinds`: the kinds listed
  // whole, whose workloads not in `report` are gone (a CronJob pass: none, it checked a few).
  auto announce = [&](const audit::CycleReport& report, const std::set<std::string>& complete_kinds, size_t* created,
                      size_t* failed) {
    for (const auto& a : tracker.Update(report.results, complete_kinds)) {
      if (stopping() || !leadership.leading()) break;
      const audit::WorkloadResult& r = report.results[a.result];
      std::string error;
      auto outcome = recorder.Announce(r, a.containers, a.first_sight, &error);
      if (outcome == audit::EventRecorder::Outcome::kFailed) {
        ++*failed;
        metrics.CountEvent("failed");
        Log(LogLevel::kWarn, "audit: event not created", {{"workload", r.Key()}, {"error", error}});
        continue;
      }
      tracker.MarkAnnounced(r, a.containers);
      bool made = outcome == audit::EventRecorder::Outcome::kCreated;
      *created += made ? 1 : 0;
      metrics.CountEvent(made ? "created" : "already_there");
      Log(LogLevel::kInfo, made ? "audit: image unavailable, event created" : "audit: image unavailable, event already there",
          {{"workload", r.Key()}, {"containers", a.containers.size()}});
    }
  };
  // The CronJob passes between a cycle and the next (cron_pass.h): each waits for its start,
  // then checks the CronJobs it planned. Not planned again after the wait: an @every schedule's
  // next run moves with the clock, and would be put off for ever. Passes are a lead apart at
  // least, so at most interval / lead + 1 run.
  auto cron_passes = [&](const policy::Policy& policy, std::chrono::system_clock::time_point next_cycle) {
    const std::chrono::seconds lead = policy.audit.cron_lead;
    if (lead.count() <= 0 || cron.size() == 0) return;
    const size_t max_passes = static_cast<size_t>(policy.audit.interval / lead) + 1;
    std::optional<std::chrono::system_clock::time_point> last_pass;
    for (size_t passes = 0; passes < max_passes; ++passes) {
      if (stopping() || !leadership.leading()) return;
      const auto now = std::chrono::system_clock::now();
      auto plan = audit::PlanCronPass(cron.Runs(now, lead), now, next_cycle, lead, last_pass ? *last_pass + lead : now);
      if (!plan) return;
      if (plan->at > now) {
        std::unique_lock<std::mutex> lock(mutex);
        if (wake.wait_until(lock, plan->at, [&] { return stop || !leadership.leading(); })) return;
      }
      last_pass = std::chrono::system_clock::now();
      const std::set<std::string> keys(plan->keys.begin(), plan->keys.end());
      audit::CycleReport pass = audit::RunCronPass(api, client, sources, policy, options, keys);
      if (pass.cancelled || !leadership.leading() || stopping()) {
        Log(LogLevel::kInfo, "audit: CronJob pass abandoned", {{"why", stopping() ? "stopping" : "the lease was lost"}});
        return;
      }
      const bool listed = pass.error.empty() && pass.complete_kinds.count("CronJob") > 0;
      cron.PassDone(plan->keys, pass.results, listed, pass.started);
      if (!pass.error.empty()) {
        Log(LogLevel::kWarn, "audit: CronJob pass failed", {{"error", pass.error}, {"cronJobs", plan->keys.size()}});
        continue;
      }
      // Only the CronJobs it checked change: the tracker keeps every other workload as it was
      // (no kind counts as listed whole), and the gauges are published again from it.
      size_t created = 0, failed = 0;
      announce(pass, {}, &created, &failed);
      metrics.Publish(tracker.Current(), policy.audit.max_series);
      metrics.CronPassDone();
      nlohmann::json fields = CycleLogFields(pass);
      fields["cronJobs"] = plan->keys.size();
      fields["eventsCreated"] = created;
      fields["eventsFailed"] = failed;
      Log(LogLevel::kInfo, "audit cron pass", fields);
    }
  };
  bool led = false;
  while (!stopping()) {
    if (!leadership.WaitUntilLeading(std::chrono::milliseconds(500))) {
      if (led) {
        // Another replica audits now: this one exports nothing of its own, and starts afresh
        // (looking for the Events already made) if it leads again.
        metrics.Clear();
        tracker.Clear();
        cron.Clear();
        led = false;
      }
      continue;
    }
    led = true;
    if (Status reload = policies->ReloadIfChanged(); !reload.ok()) {
      Log(LogLevel::kWarn, "audit: the policy did not reload; the previous one stays", {{"error", reload.message()}});
    }
    const policy::Policy policy = PolicyOf(*policies, args);
    audit::CycleReport report = audit::RunCycle(api, client, sources, policy, options);
    audit::AuditMetrics::CycleResult result = ResultOf(report);
    if (report.cancelled || !leadership.leading() || stopping()) {
      Log(LogLevel::kInfo, "audit: cycle abandoned", {{"why", stopping() ? "stopping" : "the lease was lost"}});
      continue;
    }
    if (result == audit::AuditMetrics::CycleResult::kFailed) {
      cron.Clear();
      metrics.CycleDone(result, report.seconds, 0, report.registry_checks);
      Log(LogLevel::kError, "audit: cycle failed",
          {{"error", report.error.empty() ? "no kind could be listed" : report.error}, {"details", CycleLogFields(report)}});
    } else {
      size_t created = 0, failed = 0;
      announce(report, report.complete_kinds, &created, &failed);
      cron.CycleDone(report.results, report.started);
      metrics.Publish(tracker.Current(), policy.audit.max_series);
      metrics.SetFindings(report.findings_by_reason);
      metrics.CycleDone(result, report.seconds, report.checked(), report.registry_checks);
      nlohmann::json fields = CycleLogFields(report);
      fields["eventsCreated"] = created;
      fields["eventsFailed"] = failed;
      Log(LogLevel::kInfo, "audit cycle", fields);
    }

    // Until the next cycle: CronJob passes before the runs it would come after (cron_pass.h).
    const auto cycle_due = std::chrono::steady_clock::now() + policy.audit.interval;
    cron_passes(policy, std::chrono::system_clock::now() + policy.audit.interval);
    std::unique_lock<std::mutex> lock(mutex);
    wake.wait_until(lock, cycle_due, [&] { return stop; });
  }

  leadership.Stop();  // hands the Lease back
  metrics.SetLeader(false);
  listener.Stop();
  signal_thread.join();
  Log(LogLevel::kInfo, "audit: stopped");
  FlushLog();
  return kExitOk;
}

}  // namespace pullguard::cli

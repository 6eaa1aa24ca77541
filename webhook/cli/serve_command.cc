// `pullguard serve`: the admission webhook.
#include <malloc.h>
#include <sys/resource.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "checker/checker.h"
#include "policy/default_policy.h"
#include "cli/secrets_loader.h"
#include "kube/kube_sources.h"
#include "kube/service_account_tokens.h"
#include "registry/curl_transport.h"
#include "registry/registry_client.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/credential_flags.h"
#include "cli/version.h"
#include "common/log.h"
#include "common/metrics.h"
#include "server/webhook_server.h"

namespace pullguard::cli {
namespace {

constexpr const char* kServeHelp = R"(Usage: pullguard serve --tls-cert FILE --tls-key FILE [--policy FILE] [--listen HOST:PORT]

Serves the validating admission webhook over HTTPS: POST /validate (AdmissionReview v1 and
v1beta1), GET /healthz, GET /readyz. Certificate, key and policy are re-read when their files
change. SIGTERM or SIGINT drains in-flight requests, then exits 0.

  --listen HOST:PORT       address to listen on (default 127.0.0.1:8443; 0.0.0.0:8443 in a pod)
  --tls-cert FILE          PEM certificate chain, leaf first
  --tls-key FILE           PEM private key
  --policy FILE            policy file (default: policies/default.yaml, built in)
  --threads N              workers running reviews at once (default 64); connections are
                           not bound to threads
  --handshake-timeout-ms N a TLS handshake must end this long after accept (default 5000)
  --request-timeout-ms N   a request's head and body must arrive within this, from its first
                           byte; the first request's from the handshake (default 10000)
  --idle-timeout-ms N      an idle keep-alive connection closes after this (default 30000)
  --drain-timeout-ms N     after SIGTERM, requests in flight get this long (default 10000)
  --max-connections N      connections at once; more are closed at accept (default 4096); the
                           last eighth (at most 256) only for addresses holding fewer than 8
  --max-connections-per-address N
                           connections one client address may hold (default 512)
  --max-request-bytes-in-flight N
                           bytes of requests being received, all connections together; past
                           it a connection sending a large body gets 503 (default 50331648)
  --linger-ms N            after an answer, a worker waits this long for the connection's next
                           request before handing it back to the loop, when no request waits
                           for a worker (default 2; 0: never)
  --client-ca FILE         answer /validate and /metrics only for clients whose certificate
                           verifies against this CA (the API server's AdmissionConfiguration
                           kubeconfig; give the scraper one too); the probes stay open
  --reload-interval-ms N   how often files are checked for changes (default 2000)
  --shutdown-delay-ms N    after SIGTERM, answer /readyz 503 but keep serving this long before
                           draining (default 0; give the Service time to drop the pod)
  --kubeconfig FILE        read Secrets and ServiceAccounts through this kubeconfig; in a pod,
                           the in-cluster ServiceAccount is used without it
  --secrets-dir DIR        instead of the API: pull secrets (and ServiceAccounts) as manifests
                           (YAML/JSON) in DIR, looked up by namespace and name
  --offline                syntax and policy rules only; never contact a registry
  --image-credential-provider-config FILE, --image-credential-provider-bin-dir DIR
                           the kubelet's credential provider plugins (its flags, same names):
                           images they match are pulled with what they return, as nodes do
                           (before the policy's nodeCredentials)
  --log-level LEVEL        debug, info, warn or error (default info)
)";

Result<long> ParsePositive(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  long n = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || n <= 0) return Status::InvalidArgument(flag + " must be a positive number");
  return n;
}

}  // namespace

int RunServe(const std::vector<std::string>& argv) {
  auto parsed = ParseArgs(argv, {{"listen", ""}, {"tls-cert", ""}, {"tls-key", ""}, {"policy", ""}, {"threads", ""},
                                 {"reload-interval-ms", ""}, {"shutdown-delay-ms", ""}, {"client-ca", ""}, {"handshake-timeout-ms", ""},
                                 {"request-timeout-ms", ""}, {"idle-timeout-ms", ""}, {"drain-timeout-ms", ""},
                                 {"max-connections", ""}, {"max-connections-per-address", ""}, {"max-request-bytes-in-flight", ""}, {"linger-ms", ""}, {"log-level", ""}, {"secrets-dir", ""}, {"offline", "", false}, {"kubeconfig", ""}, {"help", "h", false},
                                 {"image-credential-provider-config", ""}, {"image-credential-provider-bin-dir", ""}});
  if (!parsed.ok()) {
    std::cerr << "pullguard serve: " << parsed.status().message() << "\n";
    return kExitUsage;
  }
  const Args& args = parsed.value();
  if (args.Has("help")) {
    std::cout << kServeHelp;
    return kExitOk;
  }
  SetBuildInfo(kVersion);
  if (!args.positional.empty()) {
    std::cerr << "pullguard serve: unexpected argument \"" << args.positional[0] << "\"\n";
    return kExitUsage;
  }
  server::ServerOptions options;
  options.tls_cert_file = args.Get("tls-cert");
  options.tls_key_file = args.Get("tls-key");
  Status st = args.Has("listen") ? options.SetListen(args.Get("listen")) : Status::Ok();
  // Numeric flags: each a positive number, into its field.
  auto number = [&](const char* flag, auto apply) {
    if (!st.ok() || !args.Has(flag)) return;
    auto n = ParsePositive(std::string("--") + flag, args.Get(flag));
    st = n.ok() ? Status::Ok() : n.status();
    if (n.ok()) apply(n.value());
  };
  using std::chrono::milliseconds;
  number("threads", [&](long n) { options.limits.workers = static_cast<size_t>(n); });
  number("reload-interval-ms", [&](long n) { options.reload_interval = milliseconds(n); });
  number("shutdown-delay-ms", [&](long n) { options.shutdown_delay = milliseconds(n); });
  number("handshake-timeout-ms", [&](long n) { options.limits.handshake_timeout = milliseconds(n); });
  number("request-timeout-ms", [&](long n) { options.limits.request_timeout = milliseconds(n); });
  number("idle-timeout-ms", [&](long n) { options.limits.idle_timeout = milliseconds(n); });
  number("drain-timeout-ms", [&](long n) { options.limits.drain_timeout = milliseconds(n); });
  number("max-connections", [&](long n) { options.limits.max_connections = static_cast<size_t>(n); });
  number("max-connections-per-address", [&](long n) { options.limits.max_connections_per_address = static_cast<size_t>(n); });
  number("max-request-bytes-in-flight", [&](long n) { options.limits.max_request_bytes_in_flight = static_cast<size_t>(n); });
  if (st.ok() && args.Has("linger-ms")) {
    const std::string v = args.Get("linger-ms");
    if (v == "0") {
      options.limits.linger = milliseconds(0);
    } else {
      number("linger-ms", [&](long n) { options.limits.linger = milliseconds(std::min(n, 1000L)); });
    }
  }
  options.client_ca_file = args.Get("client-ca");
  if (st.ok()) st = options.Validate();
  if (st.ok() && args.Has("log-level")) {
    std::string level = args.Get("log-level");
    if (level == "debug") SetLogLevel(LogLevel::kDebug);
    else if (level == "info") SetLogLevel(LogLevel::kInfo);
    else if (level == "warn") SetLogLevel(LogLevel::kWarn);
    else if (level == "error") SetLogLevel(LogLevel::kError);
    else st = Status::InvalidArgument("--log-level must be debug, info, warn or error");
  }
  if (!st.ok()) {
    std::cerr << "pullguard serve: " << st.message() << "\n";
    return kExitUsage;
  }

  std::unique_ptr<policy::PolicyStore> policies;
  if (args.Has("policy")) {
    auto opened = policy::PolicyStore::Open(args.Get("policy"));
    if (!opened.ok()) {
      Log(LogLevel::kError, "cannot load the policy", {{"error", opened.status().message()}});
      return kExitUsage;
    }
    policies = std::move(opened).value();
  } else {
    policies = std::make_unique<policy::PolicyStore>(policy::DefaultPolicy());
  }
  auto certificates = server::CertificateStore::Open(options.tls_cert_file, options.tls_key_file);
  if (!certificates.ok()) {
    Log(LogLevel::kError, "cannot load the serving certificate", {{"error", certificates.status().message()}});
    return kExitUsage;
  }

  // Few malloc arenas: with one per thread (glibc's default, 8 per core), each worker that
  // once handled a large review keeps its memory, and the replica's resident size grows with
  // the number of workers rather than with the work in flight.
  mallopt(M_ARENA_MAX, 4);

  // Every connection is a descriptor: take what the hard limit allows.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &files);
  }

  // Signals go to one thread that starts the drain; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a peer closing mid-write must not kill the process

  // Credentials: the Kubernetes API (kubeconfig, or in-cluster), else manifests from a directory.
  auth::StaticSecretSource static_secrets;
  auth::StaticServiceAccountSource static_accounts;
  std::unique_ptr<kube::ApiClient> api;
  std::unique_ptr<kube::KubeSecretSource> api_secrets;
  std::unique_ptr<kube::KubeServiceAccountSource> api_accounts;
  std::unique_ptr<kube::KubeNodeSource> api_nodes;
  // Asked only under the policy's nodeCredentials.serviceAccountTokens (KEP-4412 providers).
  std::unique_ptr<kube::KubeServiceAccountTokenSource> api_tokens;
  auth::SecretSource* secrets = nullptr;
  auth::ServiceAccountSource* accounts = nullptr;
  if (args.Has("secrets-dir")) {
    auto loaded = LoadCredentialManifests({args.Get("secrets-dir")}, static_secrets, static_accounts);
    if (!loaded.ok()) {
      Log(LogLevel::kError, "cannot load the secrets", {{"error", loaded.status().message()}});
      return kExitUsage;
    }
    for (const auto& [file, problem] : loaded->problems) {
      Log(LogLevel::kWarn, "secret skipped", {{"file", file}, {"line", problem.first}, {"why", problem.second}});
    }
    Log(LogLevel::kInfo, "secrets loaded", {{"count", static_secrets.size()}});
    secrets = &static_secrets;
    accounts = &static_accounts;
  } else {
    Result<kube::KubeConfig> config = args.Has("kubeconfig") ? kube::LoadKubeconfig(args.Get("kubeconfig"))
                                                             : kube::InClusterConfig();
    if (config.ok()) {
      api = std::make_unique<kube::ApiClient>(config.value());
      api_secrets = std::make_unique<kube::KubeSecretSource>(*api);
      api_accounts = std::make_unique<kube::KubeServiceAccountSource>(*api);
      api_nodes = std::make_unique<kube::KubeNodeSource>(*api);
      api_tokens = std::make_unique<kube::KubeServiceAccountTokenSource>(*api);
      secrets = api_secrets.get();
      accounts = api_accounts.get();
      Log(LogLevel::kInfo, "kubernetes API", {{"server", config->server}, {"from", config->source}});
    } else if (args.Has("kubeconfig")) {
      Log(LogLevel::kError, "cannot use the kubeconfig", {{"error", config.status().message()}});
      return kExitUsage;
    } else {
      Log(LogLevel::kWarn, "no Kubernetes API: pull secrets and ServiceAccounts are not looked up",
          {{"why", config.status().message()}});
    }
  }
  registry::CurlTransport transport;
  registry::RegistryClient client(transport);
  checker::ClusterSources sources{secrets, accounts, api_nodes.get(), api_tokens.get()};
  std::unique_ptr<checker::Checker> checker = args.Has("offline") ? std::make_unique<checker::Checker>(sources)
                                                                  : std::make_unique<checker::Checker>(client, sources);
  if (Status flags = ApplyCredentialProviderFlags(args, *checker); !flags.ok()) {
    Log(LogLevel::kError, "bad credential provider flags", {{"error", flags.message()}});
    return kExitUsage;
  }
  // Registries are reached as the nodes' containerd reaches them: through the Deployment's
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY, unless the policy sets `proxy`.
  ProxySettings environment_proxy = ProxySettingsFromEnvironment();
  if (auto problems = ProxySettingsProblems(environment_proxy, "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"); !problems.empty()) {
    for (const auto& p : problems) Log(LogLevel::kError, "bad proxy environment", {{"error", p}});
    return kExitUsage;
  }
  if (!environment_proxy.empty()) {
    Log(LogLevel::kInfo, "proxy from the environment",
        {{"httpsProxy", RedactProxyUrl(environment_proxy.https_proxy)},
         {"httpProxy", RedactProxyUrl(environment_proxy.http_proxy)},
         {"noProxy", environment_proxy.no_proxy}});
  }
  checker->SetEnvironmentProxy(environment_proxy);
  server::WebhookServer server(options, std::move(certificates).value(), *policies, *checker);
  std::thread signal_thread([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    Log(LogLevel::kInfo, "signal received", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
    server.Stop();
  });
  Status result = server.Run();
  if (!result.ok()) {
    Log(LogLevel::kError, "server failed", {{"error", result.message()}});
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    return 1;
  }
  // Run() returned because Stop() was called, so the signal thread has finished or is finishing.
  signal_thread.join();
  return kExitOk;
}

}  // namespace pullguard::cli

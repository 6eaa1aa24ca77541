// WebhookServer: pullguard's endpoints on HttpsServer: POST /validate, GET /healthz, /readyz
// and /metrics; TLS 1.2 or newer, the certificate chosen per handshake from a store re-read
// on change, optionally client certificates for /validate. Stop() drains: /readyz turns 503
// at once, the listener closes after the shutdown delay, in-flight requests finish.
// Thread-safety: Run() blocks the calling thread; Stop() may be called from any other.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "admission/handler.h"
#include "policy/policy_store.h"
#include "server/certificate_store.h"
#include "server/https_server.h"
#include "server/options.h"

namespace pullguard::server {

class WebhookServer {
 public:
  WebhookServer(ServerOptions options, std::unique_ptr<CertificateStore> certificates,
                policy::PolicyStore& policies, const checker::Checker& checker);
  ~WebhookServer();

  // Binds, then serves until Stop(). Returns an error when it cannot bind or set up TLS.
  Status Run();
  // Begins the drain (see above). Safe to call more than once, and before Run().
  void Stop();
  // The bound port (useful with port 0); 0 before Run() binds.
  int port() const { return bound_port_.load(); }

 private:
  Answer Route(const HttpRequest& request, const RequestInfo& info);
  Answer Validate(const HttpRequest& request, const RequestInfo& info);
  void WatchFiles();

  ServerOptions options_;
  std::unique_ptr<CertificateStore> certificates_;
  policy::PolicyStore& policies_;
  const admission::ReviewHandler handler_;
  SSL_CTX* ctx_ = nullptr;
  std::unique_ptr<HttpsServer> http_;
  std::atomic<int> bound_port_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stop_requested_{false};

  std::mutex watch_mutex_;
  std::condition_variable watch_cv_;
  bool watch_stop_ = false;
  std::thread watcher_;
};

}  // namespace pullguard::server

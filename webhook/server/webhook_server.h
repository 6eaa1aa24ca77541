// WebhookServer: HTTPS (TLS >= 1.2) with POST /validate, GET /healthz and GET /readyz.
// Keep-alive connections serve many requests, with TCP_NODELAY so small answers do not wait
// for delayed ACKs. Stop() drains: the listener closes, in-flight requests finish.
// Thread-safety: Run() blocks the calling thread; Stop() may be called from any other.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "admission/handler.h"
#include "policy/policy_store.h"
#include "server/certificate_store.h"
#include "server/options.h"

namespace httplib {
class SSLServer;
}

namespace pullguard::server {

class WebhookServer {
 public:
  WebhookServer(ServerOptions options, std::unique_ptr<CertificateStore> certificates,
                policy::PolicyStore& policies, const admission::ReviewHandler& handler);
  ~WebhookServer();

  // Binds, then serves until Stop(). Returns an error when it cannot bind or set up TLS.
  Status Run();
  // Begins the drain: /readyz turns 503 at once, the listener closes after the shutdown delay,
  // and Run() returns once in-flight requests are done. Safe to call more than once.
  void Stop();
  // The bound port (useful with port 0); 0 before Run() binds.
  int port() const { return bound_port_.load(); }

 private:
  void RegisterRoutes();
  void WatchFiles();

  ServerOptions options_;
  std::unique_ptr<CertificateStore> certificates_;
  policy::PolicyStore& policies_;
  const admission::ReviewHandler& handler_;
  std::unique_ptr<httplib::SSLServer> http_;
  std::atomic<int> bound_port_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stop_requested_{false};

  std::mutex watch_mutex_;
  std::condition_variable watch_cv_;
  bool watch_stop_ = false;
  std::thread watcher_;
};

}  // namespace pullguard::server

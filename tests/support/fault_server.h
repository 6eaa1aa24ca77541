// FaultServer: a plain-HTTP "registry" on 127.0.0.1 that misbehaves on purpose, chosen by the
// repository name in the request path:
//   ratelimited/* -> 429 with ratelimit-limit / ratelimit-remaining headers
//   broken/*      -> 500 with a registry error body
//   hang/*        -> reads the request and never answers (until the server stops)
//   reset/*       -> closes the connection with a TCP reset
//   garbage/*     -> answers bytes that are not HTTP
//   bigheader/*   -> answers a 200 KB header line
//   slow/*        -> answers 404 MANIFEST_UNKNOWN after `slow_ms`
// GET /v2/ answers 200, as an open registry. Every loop is bounded and stops with the server.
// In the TLS-handshake modes every connection is cut after the ClientHello: reset, or closed.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace pullguard::testing {

enum class FaultMode { kHttp, kResetTlsHandshake, kCloseTlsHandshake };

class FaultServer {
 public:
  explicit FaultServer(FaultMode mode = FaultMode::kHttp, int slow_ms = 3000);
  ~FaultServer();
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Accept();
  void Serve(int fd);

  FaultMode mode_;
  int slow_ms_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
};

}  // namespace pullguard::testing

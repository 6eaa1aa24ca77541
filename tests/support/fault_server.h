// FaultServer: a plain-HTTP "registry" on 127.0.0.1 that misbehaves on purpose, chosen by the
// repository name in the request path:
//   ratelimited/* -> 429 with ratelimit-limit / ratelimit-remaining headers
//   broken/*      -> 500 with a registry error body
//   hang/*        -> reads the request and never answers (until the server stops)
//   reset/*       -> closes the connection with a TCP reset
//   garbage/*     -> answers bytes that are not HTTP
// GET /v2/ answers 200, as an open registry. Every loop is bounded and stops with the server.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace pullguard::testing {

class FaultServer {
 public:
  FaultServer();
  ~FaultServer();
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Accept();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
};

}  // namespace pullguard::testing

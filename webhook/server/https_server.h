// HttpsServer: HTTPS/1.1 on an epoll loop, built so that no client can take the webhook down.
//  - One loop thread owns every connection that is handshaking, idle, or sending a request, and
//    never blocks. Each has a deadline: the TLS handshake from accept; a request's head and body
//    from its first byte (the first request: from the end of the handshake), not per read; an
//    idle keep-alive connection its idle time. Past it, the connection is closed. A slow client
//    holds a few kilobytes, never a thread, so others are served meanwhile.
//  - A complete request goes to a worker, which runs the handler and writes the answer (with a
//    deadline too), then hands the connection back to the loop for the next request.
//  - Bounds: connections at once (beyond: closed at accept), idle keep-alive connections
//    (beyond: the longest idle closes), requests waiting for a worker (beyond: 503).
//  - Stop() drains: the listener closes, idle and half-read connections close, in-flight
//    requests finish; after drain_timeout their sockets are shut down.
// Thread-safety: Run() blocks its thread; Stop() may be called from any other.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "server/http_parser.h"

namespace pullguard::server {

struct ServerLimits {
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};  // head and body of one request
  std::chrono::milliseconds idle_timeout{30000};     // a keep-alive connection between requests
  std::chrono::milliseconds write_timeout{10000};    // writing one answer
  std::chrono::milliseconds drain_timeout{10000};
  size_t max_connections = 4096;
  size_t max_idle_connections = 512;
  size_t workers = 64;
  size_t max_queued_requests = 1024;
  // After an answer, how long a worker waits for the next request on that connection before
  // handing it back to the loop (0: at once). Only while no request waits for a worker.
  std::chrono::milliseconds linger{2};
  ParserLimits parser;
};

struct RequestInfo {
  std::chrono::steady_clock::time_point arrived;  // the request's first byte
  bool client_verified = false;  // a client certificate that verified against the client CA
};

struct Answer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using Handler = std::function<Answer(const HttpRequest&, const RequestInfo&)>;

class HttpsServer {
 public:
  using Clock = std::chrono::steady_clock;

  // `ctx` (not owned) is set up by the caller: certificates, protocol versions, client CA.
  HttpsServer(ServerLimits limits, SSL_CTX* ctx, Handler handler);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  Status Bind(const std::string& host, int port);
  int port() const { return port_; }
  Status Run();
  void Stop();

  // For tests and metrics.
  size_t open_connections() const { return open_.load(); }

 private:
  struct Conn;
  struct Work;
  enum class Interest { kRead, kWrite };

  void AcceptAll();
  void Advance(Conn& conn);
  void Dispatch(std::unique_ptr<Conn> conn, HttpRequest request);
  void Resume(std::unique_ptr<Conn> conn);
  void Expire(Clock::time_point now);
  void CloseOwned(uint64_t id, const char* why);
  void Watch(Conn& conn, Interest interest, bool add);
  void WorkerLoop();
  void Serve(Work& work);
  // Runs the handler and writes its answer; false when the write failed or timed out.
  bool Respond(Work& work, bool* keep_alive);
  // The connection's next request, if it is all there within the linger; else false, and
  // whatever was read stays in the connection for the loop.
  bool NextRequestHere(Work& work);
  void SendErrorAndClose(Conn& conn, int status, const std::string& message);
  void Wake();

  ServerLimits limits_;
  SSL_CTX* ctx_;
  Handler handler_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  uint64_t next_id_ = 2;  // 0: the listener, 1: the wake-up fd

  std::unordered_map<uint64_t, std::unique_ptr<Conn>> owned_;  // the loop's
  std::atomic<size_t> open_{0};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> draining_{false};

  std::mutex resume_mutex_;
  std::vector<std::unique_ptr<Conn>> resumed_;

  std::mutex work_mutex_;
  std::condition_variable work_cv_;
  std::deque<std::unique_ptr<Work>> work_;
  size_t busy_ = 0;               // requests taken by workers (guarded by work_mutex_)
  std::set<int> busy_fds_;        // their sockets, to shut down when a drain runs out
  bool workers_stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace pullguard::server

// HttpsServer: HTTPS/1.1 on an epoll loop, built so that no client can take the webhook down.
//  - One loop thread owns every connection that is handshaking, idle, or sending a request, and
//    never blocks. Each has a deadline: the TLS handshake from accept; a request's head and body
//    from its first byte (the first request: from the end of the handshake), not per read; an
//    idle keep-alive connection its idle time. Past it, the connection is closed. A slow client
//    holds a few kilobytes, never a thread, so others are served meanwhile.
//  - A complete request goes to a worker, which runs the handler and writes what the socket
//    takes at once; the rest of a slow reader's answer is written by the loop (with a write
//    deadline), so a client that never reads holds no thread.
//  - Heavy requests (large bodies: large reviews) run a few at a time; while they wait for a
//    slot they sit in the queue, not in a worker, and a request still queued at its deadline
//    is answered 503 by the loop at once, never late.
//  - Bounds: connections at once, per client address, and a reserve kept for clients with few
//    connections (the kubelet's probes, a new API server); idle keep-alive connections (beyond:
//    the longest idle closes); request bytes in flight over every connection (beyond: 503);
//    requests waiting for a worker (beyond: 503). Out of descriptors, accepting pauses.
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
  // One address holds at most this many connections; past max_connections - reserve (the
  // reserve at most an eighth of max_connections), only an address holding fewer than
  // few_connections gets a new one.
  size_t max_connections_per_address = 512;
  size_t reserved_connections = 256;
  size_t few_connections = 8;
  // Bytes of requests being received, all connections together: a client that sends all but
  // the last byte of a large body holds its bytes until its deadline.
  size_t max_request_bytes_in_flight = 48 * 1024 * 1024;
  // Requests with bodies of at least heavy_body_bytes run at most heavy_slots at once.
  size_t heavy_body_bytes = 256 * 1024;
  size_t heavy_slots = 1;
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
// When a request's answer is no longer wanted (the API server's ?timeout= from arrival); a
// request still queued then is answered 503 at once. Null: arrival plus the request timeout.
using DeadlineOf = std::function<std::chrono::steady_clock::time_point(const HttpRequest&, const RequestInfo&)>;

class HttpsServer {
 public:
  using Clock = std::chrono::steady_clock;

  // `ctx` (not owned) is set up by the caller: certificates, protocol versions, client CA.
  HttpsServer(ServerLimits limits, SSL_CTX* ctx, Handler handler, DeadlineOf deadline_of = nullptr);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  Status Bind(const std::string& host, int port);
  int port() const { return port_; }
  Status Run();
  void Stop();

  // For tests and metrics.
  size_t open_connections() const { return open_.load(); }
  size_t request_bytes_in_flight() const { return inflight_bytes_.load(); }

 private:
  struct Conn;
  struct Work;
  enum class Interest { kRead, kWrite };

  void AcceptAll(Clock::time_point now);
  // Whether a connection from `address` may be opened now.
  bool Admit(const std::string& address);
  // The bytes `conn` holds for the request being received, counted in inflight_bytes_; false
  // when that passes the budget.
  bool Account(Conn& conn);
  void AnswerExpiredQueued(Clock::time_point now);
  void WriteOut(Conn& conn);
  void Advance(Conn& conn);
  void Dispatch(std::unique_ptr<Conn> conn, HttpRequest request);
  void Resume(std::unique_ptr<Conn> conn);
  void Expire(Clock::time_point now);
  void CloseOwned(uint64_t id, const char* why);
  void Watch(Conn& conn, Interest interest, bool add);
  void WorkerLoop();
  void Serve(Work& work);
  // Runs the handler and writes what the socket takes now: kDone, kPending (the rest is left
  // in the connection for the loop), kFailed.
  enum class Written { kDone, kPending, kFailed };
  Written Respond(Work& work, bool* keep_alive);
  // The connection's next request, if it is all there within the linger; else false, and
  // whatever was read stays in the connection for the loop.
  bool NextRequestHere(Work& work);
  void SendErrorAndClose(Conn& conn, int status, const std::string& message);
  void Wake();

  ServerLimits limits_;
  SSL_CTX* ctx_;
  Handler handler_;
  DeadlineOf deadline_of_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  uint64_t next_id_ = 2;  // 0: the listener, 1: the wake-up fd

  std::unordered_map<uint64_t, std::unique_ptr<Conn>> owned_;  // the loop's
  std::atomic<size_t> open_{0};
  std::atomic<size_t> inflight_bytes_{0};
  std::unordered_map<std::string, std::shared_ptr<std::atomic<size_t>>> per_address_;  // the loop's
  Clock::time_point accept_paused_until_{};
  bool accept_paused_ = false;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> draining_{false};

  std::mutex resume_mutex_;
  std::vector<std::unique_ptr<Conn>> resumed_;

  std::mutex work_mutex_;
  std::condition_variable work_cv_;
  std::deque<std::unique_ptr<Work>> work_;
  size_t busy_ = 0;               // requests taken by workers (guarded by work_mutex_)
  size_t heavy_busy_ = 0;         // heavy requests among them (guarded by work_mutex_)
  std::set<int> busy_fds_;        // their sockets, to shut down when a drain runs out
  bool workers_stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace pullguard::server

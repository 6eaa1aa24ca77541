#include "server/https_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/log.h"
#include "common/metrics.h"
#include "server/https_connection.h"

namespace pullguard::server {
namespace {

constexpr uint64_t kListenId = 0;
constexpr uint64_t kWakeId = 1;
// TLS handshakes stepped per turn of the loop: each costs a signature (~0.3 ms); a storm of new
// connections must not stall the requests of established ones.
constexpr int kHandshakesPerTurn = 8;

std::string PeerAddress(const sockaddr_storage& peer) {
  char text[INET6_ADDRSTRLEN] = "";
  if (peer.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr, text, sizeof text);
  } else if (peer.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr, text, sizeof text);
  }
  return text;
}

void CountClosed(const char* why) { CountConnectionClosed(why); }

}  // namespace

HttpsServer::HttpsServer(ServerLimits limits, SSL_CTX* ctx, Handler handler, DeadlineOf deadline_of)
    : limits_(limits), ctx_(ctx), handler_(std::move(handler)), deadline_of_(std::move(deadline_of)) {
  SSL_CTX_set_mode(ctx_, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

HttpsServer::~HttpsServer() {
  {
    std::lock_guard<std::mutex> lock(work_mutex_);
    workers_stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  owned_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Status HttpsServer::Bind(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || res == nullptr) {
    return Status::InvalidArgument("cannot listen on " + host + ": not an IP address");
  }
  listen_fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc = listen_fd_ < 0 ? -1 : ::bind(listen_fd_, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc != 0 || ::listen(listen_fd_, 1024) != 0) {
    return Status::Unavailable("cannot listen on " + host + ":" + std::to_string(port) + " (" + std::strerror(errno) + ")");
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenId;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.u64 = kWakeId;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  return Status::Ok();
}

void HttpsServer::Wake() {
  uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
}

void HttpsServer::Stop() {
  stop_requested_ = true;
  if (wake_fd_ >= 0) Wake();
}

void HttpsServer::Watch(Conn& conn, Interest interest, bool add) {
  epoll_event ev{};
  ev.events = (interest == Interest::kRead ? EPOLLIN : EPOLLOUT) | EPOLLRDHUP;
  ev.data.u64 = conn.id;
  ::epoll_ctl(epoll_fd_, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, conn.fd, &ev);
}

void HttpsServer::CloseOwned(uint64_t id, const char* why) {
  auto it = owned_.find(id);
  if (it == owned_.end()) return;
  if (why != nullptr) CountClosed(why);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second->fd, nullptr);
  owned_.erase(it);
  --open_;
}

bool HttpsServer::Admit(const std::string& address) {
  size_t open = open_.load();
  if (open >= limits_.max_connections) {
    CountClosed("too_many_connections");
    return false;
  }
  auto& slot = per_address_[address];
  if (!slot) slot = std::make_shared<std::atomic<size_t>>(0);
  size_t mine = slot->load();
  if (mine >= limits_.max_connections_per_address) {
    CountClosed("too_many_from_address");
    return false;
  }
  // The last slots are for addresses with few connections: one client cannot take them all.
  size_t reserve = std::min(limits_.reserved_connections, limits_.max_connections / 8);
  if (open + reserve >= limits_.max_connections && mine >= limits_.few_connections) {
    CountClosed("reserved_for_others");
    return false;
  }
  return true;
}

void HttpsServer::AcceptAll(Clock::time_point now) {
  while (true) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the listener stays readable, and accepting again at once would
        // spin. Pause it a moment and serve what is open; connections that end free room.
        CountAcceptPause(errno == EMFILE || errno == ENFILE ? "out_of_descriptors" : "out_of_memory");
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        accept_paused_ = true;
        accept_paused_until_ = now + std::chrono::milliseconds(100);
      }
      return;  // EAGAIN: nothing more now
    }
    std::string address = PeerAddress(peer);
    if (!Admit(address)) {
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto conn = std::make_unique<Conn>();
    conn->fd = fd;
    conn->id = next_id_++;
    conn->ssl = SSL_new(ctx_);
    conn->parser = RequestParser(limits_.parser);
    SSL_set_fd(conn->ssl, fd);
    SSL_set_accept_state(conn->ssl);
    conn->per_address = per_address_[address];
    conn->per_address->fetch_add(1);
    conn->inflight = &inflight_bytes_;
    // Crowded, a connection that does not finish its handshake soon gives its slot back soon.
    bool crowded = open_.load() * 2 >= limits_.max_connections;
    conn->deadline = now + (crowded ? std::min(limits_.handshake_timeout, std::chrono::milliseconds(1000)) : limits_.handshake_timeout);
    Watch(*conn, Interest::kRead, true);
    ++open_;
    owned_[conn->id] = std::move(conn);
  }
}

void HttpsServer::SendErrorAndClose(Conn& conn, int status, const std::string& message) {
  // Best effort, without blocking the loop: a client that does not read its error is cut.
  std::string bytes = SerializeAnswer({status, "application/json", JsonError(message)}, false);
  ERR_clear_error();
  (void)SSL_write(conn.ssl, bytes.data(), static_cast<int>(bytes.size()));
  Log(LogLevel::kWarn, "request refused", {{"status", status}, {"error", message}});
  CountRefused(status);
  // What is still coming is read and dropped for a moment, so that a client that declared its
  // length sees this answer rather than a reset; a chunked or encoded stream (no API server
  // sends one) is cut at once.
  bool declared = !conn.parser.chunked() && status != 415;
  size_t coming = declared ? std::min(conn.parser.declared_length(), limits_.parser.max_body_bytes + limits_.parser.max_head_bytes) : 0;
  if (coming == 0) return CloseOwned(conn.id, nullptr);
  conn.phase = Conn::Phase::kDiscarding;
  conn.discard_limit = coming;
  conn.deadline = Clock::now() + std::chrono::seconds(1);
  conn.in.clear();
  Watch(conn, Interest::kRead, false);
}

bool HttpsServer::Account(Conn& conn) {
  size_t now_held = conn.phase == Conn::Phase::kReading ? conn.in.size() + conn.parser.bytes() : 0;
  size_t total = now_held >= conn.counted ? inflight_bytes_.fetch_add(now_held - conn.counted) + (now_held - conn.counted)
                                          : inflight_bytes_.fetch_sub(conn.counted - now_held) - (conn.counted - now_held);
  conn.counted = now_held;
  // A head and a small body always pass (reviews are small); what is large waits its turn.
  return total <= limits_.max_request_bytes_in_flight || now_held <= limits_.parser.max_head_bytes;
}

void HttpsServer::WriteOut(Conn& conn) {
  int err = conn.WriteSome();
  if (err == SSL_ERROR_WANT_WRITE) return Watch(conn, Interest::kWrite, false);
  if (err == SSL_ERROR_WANT_READ) return Watch(conn, Interest::kRead, false);
  if (err != SSL_ERROR_NONE) return CloseOwned(conn.id, "write_failed");
  if (!conn.keep_alive_after || draining_.load()) return CloseOwned(conn.id, nullptr);
  conn.phase = Conn::Phase::kIdle;
  conn.deadline = Clock::now() + limits_.idle_timeout;
  Watch(conn, Interest::kRead, false);
  if (!conn.in.empty() || SSL_pending(conn.ssl) > 0) Advance(conn);
}

void HttpsServer::Advance(Conn& conn) {
  auto now = Clock::now();
  if (conn.phase == Conn::Phase::kWriting) return WriteOut(conn);
  if (conn.phase == Conn::Phase::kHandshake) {
    ERR_clear_error();
    int r = SSL_accept(conn.ssl);
    if (r != 1) {
      int err = SSL_get_error(conn.ssl, r);
      if (err == SSL_ERROR_WANT_READ) return Watch(conn, Interest::kRead, false);
      if (err == SSL_ERROR_WANT_WRITE) return Watch(conn, Interest::kWrite, false);
      return CloseOwned(conn.id, "handshake_failed");
    }
    X509* peer = SSL_get_peer_certificate(conn.ssl);
    conn.verified = peer != nullptr && SSL_get_verify_result(conn.ssl) == X509_V_OK;
    if (peer != nullptr) X509_free(peer);
    conn.phase = Conn::Phase::kReading;
    conn.request_started = now;
    conn.deadline = now + limits_.request_timeout;
    Watch(conn, Interest::kRead, false);
  }
  char buf[kReadChunk];
  if (conn.phase == Conn::Phase::kDiscarding) {
    while (true) {
      ERR_clear_error();
      int n = SSL_read(conn.ssl, buf, sizeof buf);
      if (n <= 0) {
        if (SSL_get_error(conn.ssl, n) == SSL_ERROR_WANT_READ) return;
        return CloseOwned(conn.id, nullptr);
      }
      conn.discarded += static_cast<size_t>(n);
      if (conn.discarded >= conn.discard_limit) return CloseOwned(conn.id, nullptr);
      if (conn.discarded % kReadPerTurn < static_cast<size_t>(n)) return;  // the others' turn
    }
  }
  size_t budget = kReadPerTurn;
  while (budget > 0) {
    ERR_clear_error();
    int n = SSL_read(conn.ssl, buf, sizeof buf);
    if (n <= 0) {
      int err = SSL_get_error(conn.ssl, n);
      if (err == SSL_ERROR_WANT_READ) break;
      if (err == SSL_ERROR_WANT_WRITE) {
        Watch(conn, Interest::kWrite, false);
        break;
      }
      return CloseOwned(conn.id, conn.phase == Conn::Phase::kIdle ? nullptr : "closed_by_peer");
    }
    budget -= std::min(budget, static_cast<size_t>(n));
    if (conn.phase == Conn::Phase::kIdle) {
      conn.phase = Conn::Phase::kReading;
      conn.request_started = now;
      conn.deadline = now + limits_.request_timeout;
    }
    conn.in.append(buf, static_cast<size_t>(n));
    auto state = conn.parser.Feed(conn.in);
    if (state == RequestParser::State::kError) return SendErrorAndClose(conn, conn.parser.error_status(), conn.parser.error_message());
    if (state == RequestParser::State::kDone) break;
    if (!Account(conn)) {
      return SendErrorAndClose(conn, 503, "pullguard holds too many request bytes in flight; retry");
    }
  }
  if (conn.phase == Conn::Phase::kReading && conn.parser.state() != RequestParser::State::kDone) {
    // Bytes may already be buffered (a pipelined request after a resume).
    auto state = conn.parser.Feed(conn.in);
    if (state == RequestParser::State::kError) return SendErrorAndClose(conn, conn.parser.error_status(), conn.parser.error_message());
  }
  if (conn.parser.awaits_continue() && !conn.sent_continue) {
    conn.sent_continue = true;
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    (void)SSL_write(conn.ssl, kContinue, sizeof kContinue - 1);
  }
  if (conn.parser.state() == RequestParser::State::kDone) {
    auto it = owned_.find(conn.id);
    std::unique_ptr<Conn> taken = std::move(it->second);
    owned_.erase(it);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, taken->fd, nullptr);
    HttpRequest request = taken->parser.Take();
    taken->sent_continue = false;
    // The body is the request's now, bounded by the workers and the queue: no longer in flight.
    taken->phase = Conn::Phase::kIdle;
    (void)Account(*taken);
    Dispatch(std::move(taken), std::move(request));
  }
}

void HttpsServer::Dispatch(std::unique_ptr<Conn> conn, HttpRequest request) {
  auto work = std::make_unique<Work>();
  work->info.arrived = conn->request_started;
  work->info.client_verified = conn->verified;
  work->conn = std::move(conn);
  work->request = std::move(request);
  work->heavy = work->request.body.size() >= limits_.heavy_body_bytes;
  work->deadline = deadline_of_ ? deadline_of_(work->request, work->info) : work->info.arrived + limits_.request_timeout;
  {
    std::lock_guard<std::mutex> lock(work_mutex_);
    if (work_.size() < limits_.max_queued_requests) {
      busy_fds_.insert(work->conn->fd);
      work_.push_back(std::move(work));
      work_cv_.notify_one();
      return;
    }
  }
  // Every worker busy and the queue full: say so now rather than answer late.
  std::string bytes = SerializeAnswer({503, "application/json", JsonError("pullguard is overloaded; retry")}, false);
  (void)SSL_write(work->conn->ssl, bytes.data(), static_cast<int>(bytes.size()));
  CountRefused(503);
  --open_;
}

void HttpsServer::Resume(std::unique_ptr<Conn> conn) {
  auto now = Clock::now();
  Conn& c = *conn;
  owned_[c.id] = std::move(conn);
  Watch(c, Interest::kRead, true);
  if (c.parser.state() == RequestParser::State::kError) {
    return SendErrorAndClose(c, c.parser.error_status(), c.parser.error_message());
  }
  if (c.phase == Conn::Phase::kWriting) {
    // A reader too slow for the worker: the loop writes the rest, by the write deadline.
    c.deadline = now + limits_.write_timeout;
    return WriteOut(c);
  }
  if (c.phase == Conn::Phase::kReading) {
    // A worker read part of the next request: it keeps its deadline, and the rest comes
    // through the loop (some may be buffered already). Advance also answers a 100-continue
    // the head asked for, which no later read would trigger.
    Advance(c);
    return;
  }
  c.phase = Conn::Phase::kIdle;
  c.deadline = now + limits_.idle_timeout;
  // A request that arrived while the answer was written is already buffered, in `in` or in
  // OpenSSL: epoll would not report it.
  if (!c.in.empty() || SSL_pending(c.ssl) > 0) {
    c.phase = Conn::Phase::kReading;
    c.request_started = now;
    c.deadline = now + limits_.request_timeout;
    Advance(c);
  }
}

void HttpsServer::Expire(Clock::time_point now) {
  std::vector<std::pair<Clock::time_point, uint64_t>> idle;
  std::vector<std::pair<uint64_t, const char*>> expired;
  for (const auto& [id, conn] : owned_) {
    if (now >= conn->deadline) {
      const char* why = nullptr;  // idle and discarding connections end as expected
      if (conn->phase == Conn::Phase::kHandshake) why = "handshake_timeout";
      if (conn->phase == Conn::Phase::kReading) why = "request_timeout";
      if (conn->phase == Conn::Phase::kWriting) why = "write_timeout";
      expired.emplace_back(id, why);
    } else if (conn->phase == Conn::Phase::kIdle) {
      idle.emplace_back(conn->deadline, id);
    }
  }
  for (const auto& [id, why] : expired) CloseOwned(id, why);
  for (auto it = per_address_.begin(); it != per_address_.end();) {
    it = it->second->load() == 0 ? per_address_.erase(it) : std::next(it);
  }
  AnswerExpiredQueued(now);
  if (idle.size() > limits_.max_idle_connections) {
    std::sort(idle.begin(), idle.end());
    for (size_t i = 0; i < idle.size() - limits_.max_idle_connections; ++i) CloseOwned(idle[i].second, "too_many_idle");
  }
}

void HttpsServer::AnswerExpiredQueued(Clock::time_point now) {
  // A request still waiting at its deadline gets its 503 now, from here: answering it later
  // would be answering after the API server stopped listening (and, with failurePolicy
  // Ignore, a silent allow).
  std::vector<std::unique_ptr<Work>> late;
  {
    std::lock_guard<std::mutex> lock(work_mutex_);
    for (auto it = work_.begin(); it != work_.end();) {
      if (now < (*it)->deadline) {
        ++it;
        continue;
      }
      busy_fds_.erase((*it)->conn->fd);
      late.push_back(std::move(*it));
      it = work_.erase(it);
    }
  }
  for (auto& work : late) {
    std::string bytes = SerializeAnswer({503, "application/json", JsonError("pullguard could not start this review before its deadline; retry")}, false);
    ERR_clear_error();
    (void)SSL_write(work->conn->ssl, bytes.data(), static_cast<int>(bytes.size()));
    CountRefused(503);
    work->conn.reset();
    --open_;
  }
}

Status HttpsServer::Run() {
  if (listen_fd_ < 0) return Status::Internal("Run() before Bind()");
  for (size_t i = 0; i < limits_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  Clock::time_point drain_deadline{};
  bool sockets_shut = false;
  epoll_event events[256];
  std::vector<uint64_t> handshakes;
  while (true) {
    int n = ::epoll_wait(epoll_fd_, events, 256, 100);
    handshakes.clear();
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kListenId) {
        if (!draining_) AcceptAll(Clock::now());
      } else if (auto hs = owned_.find(id); hs != owned_.end() && hs->second->phase == Conn::Phase::kHandshake) {
        handshakes.push_back(id);  // after the established connections, a few per turn
      } else if (id == kWakeId) {
        uint64_t count;
        (void)::read(wake_fd_, &count, sizeof count);
        std::vector<std::unique_ptr<Conn>> resumed;
        {
          std::lock_guard<std::mutex> lock(resume_mutex_);
          resumed.swap(resumed_);
        }
        for (auto& c : resumed) {
          if (draining_ && c->phase != Conn::Phase::kWriting) {
            --open_;  // dropped here: it closes as it goes
          } else {
            Resume(std::move(c));
          }
        }
      } else if (auto it = owned_.find(id); it != owned_.end()) {
        Advance(*it->second);
      }
    }
    // Level-triggered: the handshakes not stepped now are reported again next turn.
    for (size_t i = 0; i < handshakes.size() && i < kHandshakesPerTurn; ++i) {
      if (auto it = owned_.find(handshakes[i]); it != owned_.end()) Advance(*it->second);
    }
    auto now = Clock::now();
    if (accept_paused_ && now >= accept_paused_until_ && !draining_ && listen_fd_ >= 0) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kListenId;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
      accept_paused_ = false;
    }
    Expire(now);
    if (stop_requested_ && !draining_) {
      draining_ = true;
      drain_deadline = now + limits_.drain_timeout;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      ::close(listen_fd_);
      listen_fd_ = -1;
      // Idle and handshaking connections have nothing to finish; a request being received
      // may complete (its own deadline still holds).
      std::vector<uint64_t> ids;
      for (const auto& [id, conn] : owned_) {
        if (conn->phase != Conn::Phase::kReading && conn->phase != Conn::Phase::kWriting) ids.push_back(id);
      }
      for (uint64_t id : ids) CloseOwned(id, nullptr);
    }
    if (draining_) {
      bool past = now >= drain_deadline;
      if (past && !owned_.empty()) {
        std::vector<uint64_t> ids;
        for (const auto& [id, conn] : owned_) ids.push_back(id);
        for (uint64_t id : ids) CloseOwned(id, "drain_timeout");
      }
      std::lock_guard<std::mutex> lock(work_mutex_);
      if (owned_.empty() && busy_ == 0 && work_.empty()) break;
      if (past && !sockets_shut) {
        // Answers still being written to clients that do not read: stop waiting for them.
        for (int fd : busy_fds_) ::shutdown(fd, SHUT_RDWR);
        sockets_shut = true;
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(work_mutex_);
    workers_stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
  return Status::Ok();
}

}  // namespace pullguard::server

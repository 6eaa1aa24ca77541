// HttpsServer's workers: each takes a parsed request from the queue, runs the handler, writes
// what the socket takes at once, and serves the connection's next request itself when it comes
// within the linger. What is left (a partial request, an answer not yet written) goes back to
// the event loop (https_server.cc).
#include <poll.h>

#include <algorithm>

#include "common/log.h"
#include "common/metrics.h"
#include "server/https_connection.h"
#include "server/https_server.h"

namespace pullguard::server {

void HttpsServer::WorkerLoop() {
  while (true) {
    std::unique_ptr<Work> work;
    {
      std::unique_lock<std::mutex> lock(work_mutex_);
      // The first request that may run: a heavy one only while a heavy slot is free. A heavy
      // request waiting for its slot waits here, in the queue, holding no worker.
      auto runnable = [this] {
        return std::find_if(work_.begin(), work_.end(),
                            [this](const auto& w) { return !w->heavy || heavy_busy_ < limits_.heavy_slots; });
      };
      work_cv_.wait(lock, [&] { return workers_stop_ || runnable() != work_.end(); });
      auto it = runnable();
      if (it == work_.end()) return;  // stopping
      work = std::move(*it);
      work_.erase(it);
      ++busy_;
      if (work->heavy) ++heavy_busy_;
    }
    const bool heavy = work->heavy;
    Serve(*work);
    {
      std::lock_guard<std::mutex> lock(work_mutex_);
      --busy_;
      if (heavy) --heavy_busy_;
    }
    if (heavy) work_cv_.notify_all();  // a heavy slot is free: a waiting heavy request may go
    if (draining_.load()) Wake();  // a drain may be waiting for this
  }
}

HttpsServer::Written HttpsServer::Respond(Work& work, bool* keep_alive) {
  Answer answer;
  try {
    answer = handler_(work.request, work.info);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "handler exception", {{"path", work.request.path}, {"error", e.what()}});
    answer = {500, "application/json", JsonError("internal error")};
  }
  *keep_alive = work.request.keep_alive && !draining_.load();
  Conn& conn = *work.conn;
  conn.out = SerializeAnswer(answer, *keep_alive, work.request.method == "HEAD");
  conn.out_sent = 0;
  // What the socket takes now; the rest is the loop's (a slow reader holds no worker).
  int err = conn.WriteSome();
  if (err == SSL_ERROR_NONE) return Written::kDone;
  if (err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ) return Written::kFailed;
  conn.keep_alive_after = *keep_alive;
  return Written::kPending;
}

bool HttpsServer::NextRequestHere(Work& work) {
  Conn& conn = *work.conn;
  if (limits_.linger.count() <= 0 || draining_.load()) return false;
  {
    // Workers are for waiting requests first: linger only when none waits.
    std::lock_guard<std::mutex> lock(work_mutex_);
    if (!work_.empty()) return false;
  }
  if (conn.in.empty() && SSL_pending(conn.ssl) == 0) {
    pollfd p{conn.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limits_.linger.count())) <= 0) return false;
  }
  auto now = Clock::now();
  auto started = [&] {  // the next request's first byte: its deadline counts from here
    if (conn.phase == Conn::Phase::kReading) return;
    conn.phase = Conn::Phase::kReading;
    conn.request_started = now;
    conn.deadline = now + limits_.request_timeout;
  };
  auto reading = [&conn] {
    auto state = conn.parser.state();
    return state == RequestParser::State::kHead || state == RequestParser::State::kBody;
  };
  if (!conn.in.empty()) {  // a pipelined request, read already
    started();
    conn.parser.Feed(conn.in);
  }
  char buf[kReadChunk];
  size_t budget = kReadPerTurn;
  while (reading() && budget > 0) {
    ERR_clear_error();
    int n = SSL_read(conn.ssl, buf, sizeof buf);
    if (n <= 0) break;  // nothing more now, or closed: the loop sees to it
    started();
    budget -= std::min(budget, static_cast<size_t>(n));
    conn.in.append(buf, static_cast<size_t>(n));
    conn.parser.Feed(conn.in);
  }
  if (conn.parser.awaits_continue()) return false;  // the loop answers 100 Continue
  if (conn.parser.state() != RequestParser::State::kDone) return false;  // partial, or an error: the loop's
  work.request = conn.parser.Take();
  conn.sent_continue = false;
  work.info.arrived = now;
  return true;
}

void HttpsServer::Serve(Work& work) {
  Written written = Written::kDone;
  bool keep_alive = false;
  // The API server keeps its connections alive and sends reviews back to back: the next
  // request that arrives within the linger is served here, sparing two thread handoffs and an
  // epoll round trip per review. At most kMaxInline in a row, then the loop takes its turn.
  for (int served = 0;; ++served) {
    written = Respond(work, &keep_alive);
    work.conn->phase = written == Written::kPending ? Conn::Phase::kWriting : Conn::Phase::kIdle;
    if (written != Written::kDone || !keep_alive || served + 1 >= kMaxInline || !NextRequestHere(work)) break;
  }
  {
    std::lock_guard<std::mutex> lock(work_mutex_);
    busy_fds_.erase(work.conn->fd);
  }
  if (written == Written::kFailed) CountConnectionClosed("write_failed");
  // Kept alive, or an answer the loop finishes writing: back to the loop.
  if (written == Written::kPending || (written == Written::kDone && keep_alive)) {
    {
      std::lock_guard<std::mutex> lock(resume_mutex_);
      resumed_.push_back(std::move(work.conn));
    }
    Wake();
    return;
  }
  work.conn.reset();  // closes it
  --open_;
}

}  // namespace pullguard::server

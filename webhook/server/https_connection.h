// Inside HttpsServer, shared by its event loop (https_server.cc) and its workers
// (https_workers.cc): a connection's state, a request handed to a worker, and how an answer is
// framed. Not part of the server's interface.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "server/http_parser.h"
#include "server/https_server.h"

namespace pullguard::server {

inline constexpr size_t kReadChunk = 16 * 1024;
// Bytes read from one connection per turn, so one fast sender cannot hold the loop.
inline constexpr size_t kReadPerTurn = 64 * 1024;
inline constexpr int kMaxInline = 10000;  // requests one worker serves on one connection in a row

// The status line, headers and body of `a`. An answer to HEAD has the headers of the GET answer
// and no body (RFC 9110 9.3.2): a body there would be read as the start of the next answer.
std::string SerializeAnswer(const Answer& a, bool keep_alive, bool head_only = false);

// {"error":"MESSAGE"}, the message escaped.
std::string JsonError(const std::string& message);

struct HttpsServer::Conn {
  int fd = -1;
  SSL* ssl = nullptr;
  uint64_t id = 0;
  // kDiscarding: an error was answered; what the client still sends is read and dropped for a
  // moment (bounded), so that it can finish writing and read the answer instead of a reset.
  // kWriting: the rest of an answer a worker could not write at once, written by the loop.
  enum class Phase { kHandshake, kIdle, kReading, kDiscarding, kWriting } phase = Phase::kHandshake;
  size_t discarded = 0;
  size_t discard_limit = 0;
  Clock::time_point deadline;
  Clock::time_point request_started;
  std::string in;
  RequestParser parser;
  bool verified = false;
  bool sent_continue = false;
  // Budgets: the connections of its address, and the request bytes it holds (in flight).
  std::shared_ptr<std::atomic<size_t>> per_address;
  std::atomic<size_t>* inflight = nullptr;
  size_t counted = 0;
  // kWriting: what is left to write, and whether the connection stays open after it.
  std::string out;
  size_t out_sent = 0;
  bool keep_alive_after = false;

  // Writes what the socket takes of `out` now. SSL_ERROR_NONE when all of it is written (`out`
  // is then emptied); else SSL_get_error's code: WANT_WRITE or WANT_READ to try again when the
  // socket is ready, anything else a failed connection.
  int WriteSome() {
    while (out_sent < out.size()) {
      ERR_clear_error();
      int n = SSL_write(ssl, out.data() + out_sent, static_cast<int>(out.size() - out_sent));
      if (n <= 0) return SSL_get_error(ssl, n);
      out_sent += static_cast<size_t>(n);
    }
    out.clear();
    out_sent = 0;
    return SSL_ERROR_NONE;
  }

  ~Conn() {
    if (inflight != nullptr) inflight->fetch_sub(counted);
    if (per_address) per_address->fetch_sub(1);
    if (ssl != nullptr) {
      // close_notify, best effort (the socket does not block): the client knows the answer was
      // whole, not cut.
      if (SSL_is_init_finished(ssl)) {
        ERR_clear_error();
        (void)SSL_shutdown(ssl);
      }
      SSL_free(ssl);
    }
    if (fd >= 0) ::close(fd);
  }
};

struct HttpsServer::Work {
  std::unique_ptr<Conn> conn;
  HttpRequest request;
  RequestInfo info;
  bool heavy = false;
  Clock::time_point deadline;  // answered 503 by the loop if still queued then
};

}  // namespace pullguard::server

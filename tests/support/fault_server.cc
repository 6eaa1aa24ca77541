#include "support/fault_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace pullguard::testing {
namespace {

void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

std::string Response(int status, const std::string& reason, const std::string& extra_headers, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "Connection: close\r\n\r\n" + body;
}

}  // namespace

FaultServer::FaultServer(FaultMode mode, int slow_ms) : mode_(mode), slow_ms_(slow_ms) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  ::listen(listen_fd_, 64);
  acceptor_ = std::thread([this] { Accept(); });
}

FaultServer::~FaultServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& t : connections_) t.join();
}

void FaultServer::Accept() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.emplace_back([this, fd] { Serve(fd); });
  }
}

void FaultServer::Serve(int fd) {
  std::string request;
  char buf[4096];
  if (mode_ != FaultMode::kHttp) {
    // A TLS peer that gives up during the handshake: read the ClientHello, then reset or close.
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) > 0) (void)::recv(fd, buf, sizeof buf, 0);
    if (mode_ == FaultMode::kResetTlsHandshake) {
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::close(fd);
    return;
  }
  // Read the request head, for at most 5 s.
  for (int i = 0; i < 50 && request.find("\r\n\r\n") == std::string::npos && !stopping_; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    request.append(buf, static_cast<size_t>(n));
  }
  std::string line = request.substr(0, request.find("\r\n"));
  auto has = [&](const char* repo) { return line.find(std::string("/v2/") + repo + "/") != std::string::npos; };
  if (line.find(" /v2/ ") != std::string::npos) {
    SendAll(fd, Response(200, "OK", "", "{}"));
  } else if (has("ratelimited")) {
    SendAll(fd, Response(429, "Too Many Requests", "ratelimit-limit: 100;w=21600\r\nratelimit-remaining: 0;w=21600\r\n",
                         R"({"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]})"));
  } else if (has("broken")) {
    SendAll(fd, Response(500, "Internal Server Error", "", R"({"errors":[{"code":"UNKNOWN","message":"storage down"}]})"));
  } else if (has("slow")) {  // answers 404 after slow_ms, like a registry far away and busy
    for (int waited = 0; waited < slow_ms_ && !stopping_; waited += 20) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    SendAll(fd, Response(404, "Not Found", "", R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})"));
  } else if (has("hang")) {
    while (!stopping_) {  // hold the connection open, answer nothing
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0 && ::recv(fd, buf, sizeof buf, 0) <= 0) break;
    }
  } else if (has("reset")) {
    linger l{1, 0};  // close with RST
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  } else if (has("bigheader")) {  // a header line longer than any client takes
    SendAll(fd, Response(200, "OK", "X-Huge: " + std::string(200 * 1024, 'h') + "\r\n", "{}"));
  } else if (has("garbage")) {
    static constexpr char kGarbage[] = "\x00\xff\xfe not http at all \r\n\r\n";
    SendAll(fd, std::string(kGarbage, sizeof kGarbage - 1));  // the bytes, not the terminator
  } else {
    SendAll(fd, Response(404, "Not Found", "", R"({"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]})"));
  }
  ::close(fd);
}

}  // namespace pullguard::testing

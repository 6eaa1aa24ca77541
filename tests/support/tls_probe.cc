#include "support/tls_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <thread>
#include <memory>

namespace pullguard::testing {
namespace {

struct Connection {
  int fd = -1;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Connection() {
    if (ssl) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    if (ctx) SSL_CTX_free(ctx);
    if (fd >= 0) ::close(fd);
  }
};

std::unique_ptr<Connection> Connect(int port, const std::string& ca_file, const std::string& host_name,
                                    int max_version, std::string* error) {
  std::signal(SIGPIPE, SIG_IGN);  // a server closing on us is a test result, not a crash
  auto c = std::make_unique<Connection>();
  c->fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(c->fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = "connect failed";
    return nullptr;
  }
  c->ctx = SSL_CTX_new(TLS_client_method());
  if (max_version != 0) {
    SSL_CTX_set_min_proto_version(c->ctx, 0);
    SSL_CTX_set_max_proto_version(c->ctx, max_version);
    SSL_CTX_set_security_level(c->ctx, 0);  // let the client offer old versions at all
  }
  SSL_CTX_load_verify_locations(c->ctx, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, nullptr);
  c->ssl = SSL_new(c->ctx);
  SSL_set_fd(c->ssl, c->fd);
  X509_VERIFY_PARAM* param = SSL_get0_param(c->ssl);
  if (host_name.find_first_not_of("0123456789.") == std::string::npos) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host_name.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host_name.c_str(), 0);
    SSL_set_tlsext_host_name(c->ssl, host_name.c_str());
  }
  if (SSL_connect(c->ssl) != 1) {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    *error = buf;
    ERR_clear_error();
    return nullptr;
  }
  return c;
}

// Reads one HTTP response (headers + Content-Length body); returns its status or -1.
int ReadResponse(SSL* ssl, std::string& buffer) {
  while (true) {
    size_t header_end = buffer.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      int status = -1;
      std::sscanf(buffer.c_str(), "HTTP/1.1 %d", &status);
      size_t length = 0;
      size_t cl = buffer.find("Content-Length: ");
      if (cl != std::string::npos && cl < header_end) length = std::stoul(buffer.substr(cl + 16));
      size_t total = header_end + 4 + length;
      if (buffer.size() >= total) {
        buffer.erase(0, total);
        return status;
      }
    }
    char chunk[16384];
    int n = SSL_read(ssl, chunk, sizeof chunk);
    if (n <= 0) return -1;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace

TlsResult Handshake(int port, const std::string& ca_file, const std::string& host_name, int max_version) {
  TlsResult result;
  auto c = Connect(port, ca_file, host_name, max_version, &result.error);
  if (!c) return result;
  result.handshake_ok = true;
  X509* peer = SSL_get1_peer_certificate(c->ssl);
  if (peer != nullptr) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(peer, EVP_sha256(), md, &len);
    char hex[3];
    for (unsigned int i = 0; i < len; ++i) {
      std::snprintf(hex, sizeof hex, "%02x", md[i]);
      result.leaf_sha256 += hex;
    }
    X509_free(peer);
  }
  return result;
}

int RequestsOnOneConnection(int port, const std::string& ca_file, const std::string& request, int count,
                            int expect_status) {
  std::string error;
  auto c = Connect(port, ca_file, "127.0.0.1", 0, &error);
  if (!c) return 0;
  std::string buffer;
  int ok = 0;
  for (int i = 0; i < count; ++i) {
    if (SSL_write(c->ssl, request.data(), static_cast<int>(request.size())) <= 0) break;
    if (ReadResponse(c->ssl, buffer) != expect_status) break;
    ++ok;
  }
  return ok;
}

std::string ValidateRequest(const std::string& body) {
  return "POST /validate?timeout=10s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace pullguard::testing

namespace pullguard::testing {

int SplitRequest(int port, const std::string& ca_file, const std::string& warm_up, const std::string& first,
                 const std::string& second, const std::function<void()>& between) {
  std::string error;
  auto c = Connect(port, ca_file, "127.0.0.1", 0, &error);
  if (!c) return -1;
  std::string buffer;
  // A whole request first: once it is answered, a server worker owns this connection and waits
  // in its keep-alive read, so the next request is in flight from its first byte.
  if (SSL_write(c->ssl, warm_up.data(), static_cast<int>(warm_up.size())) <= 0) return -1;
  if (ReadResponse(c->ssl, buffer) != 200) return -1;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (SSL_write(c->ssl, first.data(), static_cast<int>(first.size())) <= 0) return -1;
  between();
  if (SSL_write(c->ssl, second.data(), static_cast<int>(second.size())) <= 0) return -1;
  return ReadResponse(c->ssl, buffer);
}

}  // namespace pullguard::testing

namespace pullguard::testing {

TlsAnswer TlsPost(int port, const std::string& ca_file, const std::string& host_name, const std::string& path,
                  const std::string& body) {
  TlsAnswer answer;
  auto c = Connect(port, ca_file, host_name, 0, &answer.error);
  if (!c) return answer;
  std::string request = "POST " + path + " HTTP/1.1\r\nHost: " + host_name +
                        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body;
  if (SSL_write(c->ssl, request.data(), static_cast<int>(request.size())) <= 0) return answer;
  std::string buffer;
  // Read the whole response (headers + Content-Length body), keeping the body.
  while (true) {
    size_t header_end = buffer.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      std::sscanf(buffer.c_str(), "HTTP/1.1 %d", &answer.status);
      size_t cl = buffer.find("Content-Length: ");
      size_t length = cl != std::string::npos && cl < header_end ? std::stoul(buffer.substr(cl + 16)) : 0;
      if (buffer.size() >= header_end + 4 + length) {
        answer.body = buffer.substr(header_end + 4, length);
        return answer;
      }
    }
    char chunk[16384];
    int n = SSL_read(c->ssl, chunk, sizeof chunk);
    if (n <= 0) return answer;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace pullguard::testing

namespace pullguard::testing {

RawTlsClient::RawTlsClient(int port, const std::string& ca_file, const std::string& cert, const std::string& key,
                           const std::string& source) {
  std::signal(SIGPIPE, SIG_IGN);
  fd_ = source.empty() ? ConnectTcp(port) : ConnectTcpFrom(source, port);
  if (fd_ < 0) return;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ctx_ = ctx;
  SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!cert.empty()) {
    SSL_CTX_use_certificate_chain_file(ctx, cert.c_str());
    SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM);
  }
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd_);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  if (SSL_connect(ssl) != 1) {
    ERR_clear_error();
    SSL_free(ssl);
    return;
  }
  ssl_ = ssl;
}

RawTlsClient::~RawTlsClient() {
  if (ssl_) SSL_free(static_cast<SSL*>(ssl_));
  if (ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
  if (fd_ >= 0) ::close(fd_);
}

bool RawTlsClient::Write(const std::string& bytes) {
  if (!ssl_) return false;
  size_t sent = 0;
  while (sent < bytes.size()) {
    int n = SSL_write(static_cast<SSL*>(ssl_), bytes.data() + sent, static_cast<int>(bytes.size() - sent));
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    sent += static_cast<size_t>(n);
  }
  return true;
}

TlsAnswer RawTlsClient::Read(int timeout_ms) {
  TlsAnswer a;
  if (!ssl_) return a;
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  a.status = ReadResponse(static_cast<SSL*>(ssl_), buffer_);
  ERR_clear_error();
  return a;
}

bool RawTlsClient::ClosedByServer(int timeout_ms) {
  if (!ssl_) return true;
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  int n = SSL_read(static_cast<SSL*>(ssl_), &c, 1);
  if (n > 0) return false;
  int err = SSL_get_error(static_cast<SSL*>(ssl_), n);
  ERR_clear_error();
  // A read timeout (EAGAIN) is "still open"; end of stream or a reset is "closed".
  return !(err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK));
}

int ConnectTcpFrom(const std::string& source, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
    ::close(fd);
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string RawTlsClient::ReadAvailable(int quiet_ms) {
  std::string out;
  if (!ssl_) return out;
  timeval tv{quiet_ms / 1000, (quiet_ms % 1000) * 1000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  for (int i = 0; i < 10000; ++i) {
    int n = SSL_read(static_cast<SSL*>(ssl_), buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ERR_clear_error();
  return out;
}

int ConnectTcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool TcpClosedByServer(int fd, int timeout_ms) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  ssize_t n = ::recv(fd, &c, 1, 0);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

}  // namespace pullguard::testing

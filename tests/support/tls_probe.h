// TlsProbe: a raw OpenSSL client for what an HTTP library hides: which certificate the
// server presents, which TLS versions it accepts, and whether one connection serves many
// requests (keep-alive).
#pragma once

#include <functional>
#include <string>

namespace pullguard::testing {

struct TlsResult {
  bool handshake_ok = false;
  std::string error;
  std::string leaf_sha256;  // hex fingerprint of the server's leaf certificate
};

// Connects to 127.0.0.1:port, verifies against `ca_file` and `host_name`, and limits the
// protocol to at most `max_version` (e.g. TLS1_1_VERSION; 0 = no limit).
TlsResult Handshake(int port, const std::string& ca_file, const std::string& host_name = "127.0.0.1",
                    int max_version = 0);

// Sends `count` HTTP/1.1 requests one after another on ONE TLS connection and returns how
// many full responses with status `expect_status` came back before the connection ended.
int RequestsOnOneConnection(int port, const std::string& ca_file, const std::string& request, int count,
                            int expect_status = 200);

// An HTTP/1.1 POST /validate request with a JSON body.
std::string ValidateRequest(const std::string& body);

}  // namespace pullguard::testing

namespace pullguard::testing {

// On one connection: sends `warm_up` and reads its answer, sends `first`, runs `between`
// (e.g. SIGTERM the server), sends `second`, and returns the status of the answer to
// first+second (-1 when none came).
int SplitRequest(int port, const std::string& ca_file, const std::string& warm_up, const std::string& first,
                 const std::string& second, const std::function<void()>& between);

}  // namespace pullguard::testing

namespace pullguard::testing {

struct TlsAnswer {
  int status = -1;
  std::string body;
  std::string error;  // handshake or verification failure
};

// POSTs `body` to `path` on 127.0.0.1:port, verifying the server's certificate against
// `ca_file` for `host_name` (e.g. the Service's DNS name), as the API server does.
TlsAnswer TlsPost(int port, const std::string& ca_file, const std::string& host_name, const std::string& path,
                  const std::string& body);

}  // namespace pullguard::testing

namespace pullguard::testing {

// A raw TLS client for hostile-client tests: it writes what it is told, byte by byte if need
// be, and tells whether the server answered or closed. Every read waits at most `timeout`.
class RawTlsClient {
 public:
  // Connects and handshakes with 127.0.0.1:port; with `cert`/`key`, presents that client
  // certificate; with `source`, connects from that loopback address ("127.0.0.2": another
  // client). ok() says whether it worked.
  RawTlsClient(int port, const std::string& ca_file, const std::string& cert = "", const std::string& key = "",
               const std::string& source = "");
  ~RawTlsClient();
  RawTlsClient(const RawTlsClient&) = delete;
  RawTlsClient& operator=(const RawTlsClient&) = delete;

  bool ok() const { return ssl_ != nullptr; }
  // False once the server has closed the connection (the write failed).
  bool Write(const std::string& bytes);
  // The status and body of one answer, or status -1 when the connection ended first.
  TlsAnswer Read(int timeout_ms = 10000);
  // True when the server has closed the connection (reading gives end of stream or an error).
  bool ClosedByServer(int timeout_ms);
  // Every byte that arrives until none has come for `quiet_ms` (raw: no framing assumed).
  std::string ReadAvailable(int quiet_ms);

 private:
  int fd_ = -1;
  void* ctx_ = nullptr;  // SSL_CTX*
  void* ssl_ = nullptr;  // SSL*
  std::string buffer_;
};

// A plain TCP connection to 127.0.0.1:port that sends nothing (no ClientHello); -1 on failure.
int ConnectTcp(int port);
// The same from another loopback source address (127.0.0.2: "another client"); -1 on failure.
int ConnectTcpFrom(const std::string& source, int port);
// True when the server closed `fd` within `timeout_ms`.
bool TcpClosedByServer(int fd, int timeout_ms);

}  // namespace pullguard::testing

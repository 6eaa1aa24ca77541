// RequestParser: one HTTP/1.1 request at a time from a connection's bytes: the request line,
// headers, and a body delimited by Content-Length or chunked transfer coding. Limits are
// checked as the bytes arrive: a declared length over the body limit is refused before any of
// the body is read, a chunked body the moment its decoded size passes the limit, a head that
// grows past its limit at once. A body with a Content-Encoding is refused (415): pullguard
// decodes nothing, so a gzip bomb has nothing to inflate.
// Thread-safety: one parser per connection, used by one thread at a time.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace pullguard::server {

struct HttpRequest {
  std::string method;   // GET, POST, ...
  std::string target;   // /validate?timeout=10s
  std::string path;     // /validate
  std::string query;    // timeout=10s
  std::string version;  // HTTP/1.1
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  bool keep_alive = true;
  bool expect_continue = false;

  // The first value of a header (name in lowercase), or "".
  const std::string& Header(const std::string& name) const;
  // A query parameter's raw value, or "" (with *found false).
  std::string Query(const std::string& name, bool* found = nullptr) const;
};

struct ParserLimits {
  size_t max_head_bytes = 16 * 1024;   // request line and headers
  size_t max_headers = 100;
  size_t max_body_bytes = 3 * 1024 * 1024;  // the API server's limit for an AdmissionReview
};

class RequestParser {
 public:
  enum class State { kHead, kBody, kDone, kError };

  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  // Consumes what it can of `data` (bytes of the next request stay in it). Returns the state.
  State Feed(std::string& data);
  State state() const { return state_; }
  // True once the head has been read and the client waits for 100 Continue before the body.
  bool awaits_continue() const { return state_ == State::kBody && request_.expect_continue; }
  // When kError: the status to answer (400, 411, 413, 415, 431, 501, 505) and why.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // REQUIRES: state() == kDone. The request; the parser is ready for the next one.
  HttpRequest Take();
  // Bytes of the current request received so far (head and body).
  size_t bytes() const { return bytes_; }
  // The head's framing, once read: chunked, or the declared Content-Length (0 when none).
  bool chunked() const { return chunked_; }
  size_t declared_length() const { return declared_; }

 private:
  State Fail(int status, std::string message);
  State ParseHead(std::string& data);
  State ParseBody(std::string& data);
  State ParseChunked(std::string& data);

  ParserLimits limits_;
  State state_ = State::kHead;
  HttpRequest request_;
  size_t scanned_ = 0;  // head bytes already searched for the blank line
  bool chunked_ = false;
  size_t remaining_ = 0;  // Content-Length bytes still to read
  size_t declared_ = 0;   // the Content-Length as declared
  enum class Chunk { kSize, kData, kDataEnd, kTrailer } chunk_ = Chunk::kSize;
  size_t chunk_left_ = 0;
  size_t trailer_bytes_ = 0;
  size_t bytes_ = 0;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace pullguard::server

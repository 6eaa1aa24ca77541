// RequestParser: one HTTP/1.1 request at a time from a connection's bytes: the request line,
// headers, and a body delimited by Content-Length or chunked transfer coding. The parsing and
// framing are Boost.Beast's (http::request_parser, fed with put()); around it this class keeps
// the limits and the framing rules Beast leaves to its user (RFC 9110, RFC 9112):
//  - limits, checked as the bytes arrive: a head (request line and headers) longer than
//    max_head_bytes or with more than max_headers headers is refused (431) at the byte that
//    passes the limit; a declared Content-Length over max_body_bytes is refused (413) before
//    any of the body is read, a chunked body the moment a chunk would take its decoded size
//    past the limit; a chunk-size line over 1 KiB (400) or trailers over max_head_bytes (431).
//  - a body with a Content-Encoding other than identity is refused (415): pullguard decodes
//    nothing, so a gzip bomb has nothing to inflate.
//  - 400 for ambiguous framing: Content-Length headers or list members that differ, more than
//    one Transfer-Encoding header, Transfer-Encoding with Content-Length, a Transfer-Encoding
//    other than exactly "chunked", Transfer-Encoding in an HTTP/1.0 request; for a line that
//    does not end with CRLF (a bare LF or CR, refused at once rather than waiting for a CRLF
//    that will never come); for obs-fold (a header or trailer line starting with whitespace);
//    for a request line whose method is not a token or whose version is malformed; 505 for a
//    well-formed version other than HTTP/1.0 and HTTP/1.1; 411 for a POST, PUT or PATCH
//    without either framing header.
// The result does not depend on how the bytes were split between calls to Feed.
// Thread-safety: one parser per connection, used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased; trailers not included
  std::string body;
  bool keep_alive = true;        // HTTP/1.1 without "Connection: close", HTTP/1.0 with "keep-alive"
  bool expect_continue = false;  // "Expect: 100-continue" on an HTTP/1.1 request (HTTP/1.0: ignored)

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

  explicit RequestParser(ParserLimits limits = {});
  ~RequestParser();
  RequestParser(RequestParser&&) noexcept;
  RequestParser& operator=(RequestParser&&) noexcept;

  // Consumes what it can of `data` (bytes of the next request stay in it). Returns the state.
  // A partial head, or a partial chunk-size line or trailer section, stays in `data` until it is
  // complete; body bytes are taken as they come.
  State Feed(std::string& data);
  State state() const { return state_; }
  // True once the head has been read and the client waits for 100 Continue before the body.
  bool awaits_continue() const { return state_ == State::kBody && request_.expect_continue; }
  // When kError: the status to answer (400, 411, 413, 415, 431, 505) and why.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // REQUIRES: state() == kDone. The request; the parser is ready for the next one.
  HttpRequest Take();
  // Bytes of the current request taken from `data` so far: the head once complete, then the
  // body and its chunk framing as they arrive (blank lines before a request not counted).
  size_t bytes() const { return bytes_; }
  // The head's framing, once read: chunked, or the declared Content-Length (0 when none).
  bool chunked() const { return chunked_; }
  size_t declared_length() const { return declared_; }

 private:
  struct Impl;  // the Beast parser (kept out of this header)

  State Fail(int status, std::string message);
  size_t ScanHead(const std::string& data);
  State ParseHead(std::string& data, size_t end);
  State CheckHead(bool body_too_large);
  State FeedBody(std::string& data);
  size_t ScanChunkFraming(const std::string& data);

  ParserLimits limits_;
  State state_ = State::kHead;
  HttpRequest request_;
  std::unique_ptr<Impl> impl_;
  // The head as scanned so far (it stays in `data` until its blank line has arrived).
  size_t head_pos_ = 0;     // next byte to look at
  size_t line_start_ = 0;   // where the current line starts
  size_t head_lines_ = 0;   // lines ended so far, the request line included
  // The chunk framing element (a chunk-size line, or the last chunk and its trailers) being
  // scanned at the front of `data`; Beast is given it only once it is complete.
  bool frame_active_ = false;
  bool frame_trailers_ = false;
  size_t frame_pos_ = 0;
  size_t frame_size_start_ = 0;   // after the CRLF that ends the previous chunk's data
  size_t frame_line_start_ = 0;
  size_t frame_trailer_start_ = 0;
  size_t frame_digits_ = 0;       // hex digits at the start of the chunk-size line
  bool frame_in_digits_ = true;
  bool frame_all_zero_ = true;
  bool chunked_ = false;
  size_t declared_ = 0;  // the Content-Length as declared
  size_t bytes_ = 0;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace pullguard::server

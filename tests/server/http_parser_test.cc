// RequestParser: requests as they arrive, limits as bytes arrive.
#include <catch2/catch.hpp>

#include "server/http_parser.h"

namespace pullguard::server {
namespace {

using State = RequestParser::State;

TEST_CASE("a request in pieces, then the next one on the same connection") {
  RequestParser p;
  std::string in = "POST /validate?timeout=10s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\nab";
  CHECK(p.Feed(in) == State::kBody);
  in += "cdGET /healthz HTTP/1.1\r\n\r\n";
  REQUIRE(p.Feed(in) == State::kDone);
  HttpRequest r = p.Take();
  CHECK(r.method == "POST");
  CHECK(r.path == "/validate");
  CHECK(r.Query("timeout") == "10s");
  CHECK(r.Header("content-type") == "application/json");
  CHECK(r.body == "abcd");
  CHECK(r.keep_alive);
  REQUIRE(p.Feed(in) == State::kDone);  // the pipelined next request
  CHECK(p.Take().path == "/healthz");
  CHECK(in.empty());
}

TEST_CASE("chunked bodies are decoded, extensions and trailers skipped") {
  RequestParser p;
  std::string in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n";
  REQUIRE(p.Feed(in) == State::kDone);
  CHECK(p.Take().body == "Wikipedia");
}

TEST_CASE("regression: a body over the limit is refused when its size is known, whatever its framing") {
  // Only a declared Content-Length was limited: a chunked body reached 516 MB, a gzip body
  // inflated to 1 GiB.
  ParserLimits limits;
  limits.max_body_bytes = 1000;
  {
    RequestParser p(limits);
    std::string in = "POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n";
    CHECK(p.Feed(in) == State::kError);
    CHECK(p.error_status() == 413);
  }
  {
    RequestParser p(limits);
    std::string in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK(p.Feed(in) == State::kBody);
    for (int i = 0; i < 3; ++i) {
      in += "190\r\n" + std::string(400, 'x') + "\r\n";  // 400 bytes a chunk
      State s = p.Feed(in);
      if (i < 2) CHECK(s == State::kBody);
      if (i == 2) {
        CHECK(s == State::kError);
        CHECK(p.error_status() == 413);
      }
    }
  }
  {
    RequestParser p(limits);
    std::string in = "POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n";
    CHECK(p.Feed(in) == State::kError);
    CHECK(p.error_status() == 415);
  }
  {
    RequestParser p(limits);
    std::string in = "POST / HTTP/1.1\r\nHost: x\r\n\r\n";  // no length: nothing delimits a body
    CHECK(p.Feed(in) == State::kError);
    CHECK(p.error_status() == 411);
  }
}

TEST_CASE("heads are limited as they grow, malformed ones refused") {
  ParserLimits limits;
  limits.max_head_bytes = 200;
  struct Case {
    std::string in;
    int status;
  };
  const std::vector<Case> cases{
      {"GET / HTTP/1.1\r\nX: " + std::string(300, 'a'), 431},  // no end of head yet, already too big
      {"GET / HTTP/1.1\r\n" + std::string(5, 'x') + "\r\n\r\n", 400},
      {"GET /a b HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400},  // RFC 9112 6.3: chunked is not the final coding
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
  };
  for (const auto& c : cases) {
    INFO(c.in.substr(0, 60));
    RequestParser p(limits);
    std::string in = c.in;
    CHECK(p.Feed(in) == State::kError);
    CHECK(p.error_status() == c.status);
  }
}

TEST_CASE("Connection and Expect headers, and HTTP/1.0") {
  RequestParser p;
  std::string in = "POST / HTTP/1.1\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
  CHECK(p.Feed(in) == State::kBody);
  CHECK(p.awaits_continue());
  in += "{}";
  REQUIRE(p.Feed(in) == State::kDone);
  CHECK_FALSE(p.Take().keep_alive);
  std::string old = "GET / HTTP/1.0\r\n\r\n";
  REQUIRE(p.Feed(old) == State::kDone);
  CHECK_FALSE(p.Take().keep_alive);
}

}  // namespace
}  // namespace pullguard::server

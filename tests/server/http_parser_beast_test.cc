// RequestParser over Boost.Beast: the framing rules of RFC 9110 and RFC 9112 (those Beast
// enforces and those added around it), pipelined requests split at every byte, the limits, and
// the same outcome whatever the split.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "server/http_parser.h"

namespace pullguard::server {
namespace {

using State = RequestParser::State;

const char* StateName(State s) {
  switch (s) {
    case State::kHead: return "head";
    case State::kBody: return "body";
    case State::kDone: return "done";
    case State::kError: return "error";
  }
  return "?";
}

std::string Describe(const HttpRequest& r) {
  std::string out = r.method + " " + r.target + " " + r.version + (r.keep_alive ? " keep-alive" : " close") +
                    (r.expect_continue ? " expect-100" : "");
  for (const auto& [name, value] : r.headers) out += "\n  " + name + ": " + value;
  out += "\n  body[" + std::to_string(r.body.size()) + "] " + r.body;
  return out;
}

// What a connection's bytes came to: the requests taken, then where the parser stopped.
struct Outcome {
  std::vector<HttpRequest> requests;
  State state = State::kHead;
  int status = 0;
  std::string message;
  std::string left;  // bytes not taken, when no error
  size_t bytes = 0;  // bytes() of the request in progress, when no error

  std::string Render() const {
    std::string out;
    for (const auto& r : requests) out += Describe(r) + "\n";
    out += std::string("state ") + StateName(state);
    if (state == State::kError) {
      out += " " + std::to_string(status) + " " + message;
    } else {
      out += " bytes " + std::to_string(bytes) + " left [" + left + "]";
    }
    return out;
  }
};

// Feeds `input` in pieces ending at `cuts` (ascending offsets), taking each request once done.
Outcome Run(const std::string& input, const std::vector<size_t>& cuts, const ParserLimits& limits = {}) {
  RequestParser parser(limits);
  Outcome o;
  std::string buf;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  size_t prev = 0;
  for (size_t end : ends) {
    if (end < prev || end > input.size()) continue;
    buf.append(input, prev, end - prev);
    prev = end;
    State s = parser.Feed(buf);
    while (s == State::kDone) {
      o.requests.push_back(parser.Take());
      s = parser.Feed(buf);
    }
    if (s == State::kError) break;
  }
  o.state = parser.state();
  if (o.state == State::kError) {
    o.status = parser.error_status();
    o.message = parser.error_message();
  } else {
    o.left = buf;
    o.bytes = parser.bytes();
  }
  return o;
}

Outcome Whole(const std::string& input, const ParserLimits& limits = {}) { return Run(input, {}, limits); }

Outcome ByteByByte(const std::string& input, const ParserLimits& limits = {}) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return Run(input, cuts, limits);
}

const std::string kChunkedHead = "POST /validate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

struct Refused {
  std::string name;
  std::string in;
  int status;
  std::string words;  // in the error message
};

TEST_CASE("framing rules: each is refused with its status and a clear message, whole or byte by byte") {
  const std::vector<Refused> cases{
      // Content-Length (Beast: bad_content_length).
      {"two Content-Length values", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400,
       "Content-Length headers with different values"},
      {"a Content-Length list", "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\nhello!", 400, "lists different values"},
      {"a Content-Length list with an empty member", "POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\nhello", 400,
       "Content-Length"},
      {"Content-Length not a number", "POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", 400, "not a number"},
      {"Content-Length negative", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "not a number"},
      {"Content-Length overflowing", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400,
       "not a number"},
      // Transfer-Encoding (Beast: bad_transfer_encoding, bad_content_length; here: the rest).
      {"two Transfer-Encoding: chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
       400, "more than one Transfer-Encoding"},
      {"Transfer-Encoding gzip, then chunked",
       "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
       "more than one Transfer-Encoding"},
      {"Transfer-Encoding: chunked, then Content-Length",
       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello", 400,
       "both Transfer-Encoding and Content-Length"},
      {"Content-Length, then Transfer-Encoding", "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello",
       400, "both Transfer-Encoding and Content-Length"},
      {"Transfer-Encoding gzip, then Content-Length", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
       400, "both Transfer-Encoding and Content-Length"},
      {"Transfer-Encoding gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "only chunked"},
      {"Transfer-Encoding chunked, gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400,
       "only chunked"},
      {"Transfer-Encoding gzip, chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400,
       "only chunked"},
      {"Transfer-Encoding identity", "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", 400, "only chunked"},
      {"Transfer-Encoding empty", "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", 400, "only chunked"},
      {"Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "HTTP/1.0"},
      // Line endings: bare LF and bare CR, in the head, the chunk framing, the trailers.
      {"bare LF everywhere", "GET / HTTP/1.1\nHost: x\n\n", 400, "bare LF in the request head"},
      {"bare LF ending a header", "GET / HTTP/1.1\r\nHost: x\nAccept: */*\r\n\r\n", 400, "bare LF in the request head"},
      {"bare LF ending the head", "GET / HTTP/1.1\r\nHost: x\r\n\n", 400, "bare LF in the request head"},
      {"bare CR", "GET / HTTP/1.1\rHost: x\r\n\r\n", 400, "CR without LF"},
      {"bare LF after a chunk size", kChunkedHead + "5\nhello\r\n0\r\n\r\n", 400, "bare LF in the chunked framing"},
      {"bare LF after chunk data", kChunkedHead + "5\r\nhello\n0\r\n\r\n", 400, "not followed by CRLF"},
      {"bare LF ending the last chunk", kChunkedHead + "5\r\nhello\r\n0\n\n", 400, "bare LF in the chunked framing"},
      {"bare LF in the trailers", kChunkedHead + "0\r\nX-T: 1\n\r\n", 400, "bare LF in the trailers"},
      {"bare CR in a chunk-size line", kChunkedHead + "5\rhello\r\n0\r\n\r\n", 400, "CR without LF"},
      {"bare LF in a quoted chunk extension", kChunkedHead + "5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n", 400, "bare LF"},
      // obs-fold and whitespace at the start of a header line.
      {"obs-fold with SP", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", 400, "obs-fold"},
      {"obs-fold with HTAB", "GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n", 400, "obs-fold"},
      {"whitespace before the first header", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400, "obs-fold"},
      {"obs-fold in the trailers", kChunkedHead + "0\r\nX-T: 1\r\n 2\r\n\r\n", 400, "obs-fold"},
      // The request line (Beast: bad_method, bad_target, bad_version).
      {"a method that is not a token", "GE(T / HTTP/1.1\r\n\r\n", 400, "the method is not a token"},
      {"no method", " / HTTP/1.1\r\n\r\n", 400, "the method is not a token"},
      {"two spaces", "GET  / HTTP/1.1\r\n\r\n", 400, "malformed request line"},
      {"a space in the target", "GET /a b HTTP/1.1\r\n\r\n", 400, "malformed request line"},
      {"no version", "GET /\r\n\r\n", 400, "malformed request line"},
      {"a lowercase version", "GET / http/1.1\r\n\r\n", 400, "malformed request line"},
      {"a two-digit minor version", "GET / HTTP/1.10\r\n\r\n", 400, "malformed request line"},
      {"a version without minor", "GET / HTTP/1\r\n\r\n", 400, "malformed request line"},
      {"a short version", "GET / H\r\n\r\n", 400, "malformed request line"},
      {"a space after the version", "GET / HTTP/1.1 \r\n\r\n", 400, "malformed request line"},
      {"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 505, "HTTP/2.0 is not served"},
      {"HTTP/1.2", "GET / HTTP/1.2\r\n\r\n", 505, "HTTP/1.2 is not served"},
      {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505, "HTTP/0.9 is not served"},
      {"the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "HTTP/2.0 is not served"},
      // Header lines (Beast: bad_field, bad_value).
      {"whitespace before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "malformed header line"},
      {"no colon", "GET / HTTP/1.1\r\nxxxxx\r\n\r\n", 400, "malformed header line"},
      {"a NUL in a value", std::string("GET / HTTP/1.1\r\nX-A: a") + '\0' + "b\r\n\r\n", 400, "malformed header value"},
      // Chunks (Beast: bad_chunk, bad_chunk_extension; trailers that frame).
      {"a chunk size that is not hex", kChunkedHead + "zz\r\n", 400, "malformed chunk"},
      {"a chunk extension without a name", kChunkedHead + "5;\r\nhello\r\n0\r\n\r\n", 400, "malformed chunk"},
      {"an unterminated quoted chunk extension", kChunkedHead + "5;a=\"x\r\nhello\r\n0\r\n\r\n", 400, "malformed chunk"},
      {"chunk data longer than its size", kChunkedHead + "3\r\nhello\r\n0\r\n\r\n", 400, "not followed by CRLF"},
      {"Content-Length in the trailers", kChunkedHead + "0\r\nContent-Length: 5\r\n\r\n", 400, "in the trailers"},
      // Length and encoding.
      {"a POST without length", "POST / HTTP/1.1\r\nHost: x\r\n\r\n", 411, "Content-Length or chunked"},
      {"a gzip body", "POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n", 415, "Content-Encoding gzip"},
      {"a chunked gzip body", "POST / HTTP/1.1\r\nContent-Encoding: identity, GZIP\r\nTransfer-Encoding: chunked\r\n\r\n", 415,
       "Content-Encoding identity, gzip"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Outcome whole = Whole(c.in);
    CHECK(whole.state == State::kError);
    CHECK(whole.status == c.status);
    CHECK_THAT(whole.message, Catch::Contains(c.words));
    CHECK(ByteByByte(c.in).Render() == whole.Render());
  }
}

TEST_CASE("what RFC 9110 and RFC 9112 allow is accepted") {
  struct Accepted {
    std::string name;
    std::string in;
    std::string method;
    std::string body;
  };
  const std::vector<Accepted> cases{
      {"Content-Length twice with one value", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", "POST",
       "hello"},
      {"a Content-Length list of one value", "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello", "POST", "hello"},
      {"chunked in capitals", "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "POST", "hello"},
      {"blank lines before the request", "\r\n\r\nGET / HTTP/1.1\r\n\r\n", "GET", ""},
      {"a method in lowercase (a token)", "get / HTTP/1.1\r\n\r\n", "get", ""},
      {"a header without a value", "GET / HTTP/1.1\r\nX-A:\r\n\r\n", "GET", ""},
      {"chunk extensions, quoted or not, and trailers",
       kChunkedHead + "4;ext=1\r\nWiki\r\n5;a=\"b c\";d\r\npedia\r\n0;z=1\r\nX-Trailer: 1\r\n\r\n", "POST", "Wikipedia"},
      {"chunk sizes with leading zeros", kChunkedHead + "0005\r\nhello\r\n000\r\n\r\n", "POST", "hello"},
      {"Content-Encoding identity", "POST / HTTP/1.1\r\nContent-Encoding: identity\r\nContent-Length: 2\r\n\r\n{}", "POST", "{}"},
      {"Content-Encoding on no body", "GET / HTTP/1.1\r\nContent-Encoding: gzip\r\n\r\n", "GET", ""},
      {"the body of a GET", "GET / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", "GET", "{}"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Outcome whole = Whole(c.in);
    CHECK(whole.state == State::kHead);
    REQUIRE(whole.requests.size() == 1);
    CHECK(whole.requests[0].method == c.method);
    CHECK(whole.requests[0].body == c.body);
    CHECK(whole.left.empty());
    CHECK(ByteByByte(c.in).Render() == whole.Render());
  }
}

TEST_CASE("trailers are read and dropped, the headers kept in order with names lowercased") {
  Outcome o = Whole(kChunkedHead + "2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n");
  REQUIRE(o.requests.size() == 1);
  const HttpRequest& r = o.requests[0];
  REQUIRE(r.headers.size() == 2);
  CHECK(r.headers[0] == std::make_pair(std::string("host"), std::string("x")));
  CHECK(r.headers[1] == std::make_pair(std::string("transfer-encoding"), std::string("chunked")));
  CHECK(r.Header("x-trailer").empty());
  CHECK(r.path == "/validate");
}

TEST_CASE("a bare LF is refused as soon as it arrives, not after a timeout") {
  // Beast looks for CR only: once it has asked for more bytes, it waits for a "\r\n\r\n" (or, in
  // the chunk framing, a CR) that a client ending its lines with LF alone never sends.
  const std::vector<std::vector<std::string>> cases{
      {"GET / HTTP/1.1\n"},
      {"GET / HTTP/1.1", "\nHost: x\n"},
      {"GET / HTTP/1.1\r\nHost: x", "\n"},
      {"GET / HTTP/1.1\r\nHost: x\r\n", "\n"},
      {kChunkedHead, "5\n"},
      {kChunkedHead, "5;a=\"b", "\n"},
      {kChunkedHead, "5\r\nhello", "\n"},
      {kChunkedHead, "0\r\nX-T: 1\n"},
      {kChunkedHead, "0\r\n", "\n"},
  };
  for (const auto& pieces : cases) {
    INFO(pieces.back());
    RequestParser p;
    std::string in;
    State s = State::kHead;
    for (const auto& piece : pieces) {
      in += piece;
      s = p.Feed(in);
    }
    CHECK(s == State::kError);
    CHECK(p.error_status() == 400);
  }
}

TEST_CASE("pipelined requests: the next request's bytes stay in the buffer") {
  const std::string first = "POST /validate HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
  const std::string second = "GET /healthz HTTP/1.1\r\n\r\n";
  RequestParser p;
  std::string in = first + second;
  REQUIRE(p.Feed(in) == State::kDone);
  CHECK(in == second);
  CHECK(p.bytes() == first.size());
  CHECK(p.Take().body == "{}");
  REQUIRE(p.Feed(in) == State::kDone);
  CHECK(in.empty());
  CHECK(p.Take().path == "/healthz");
  CHECK(p.Feed(in) == State::kHead);
}

const std::string kTwo =
    "POST /validate?timeout=10s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
const std::string kThree =
    "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
    "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nde\r\n1\r\nf\r\n0\r\nT: 1\r\n\r\n"
    "\r\nGET /c HTTP/1.1\r\nConnection: close\r\n\r\n";

TEST_CASE("pipelined requests split at every byte boundary: two and three in one buffer") {
  Outcome two = Whole(kTwo);
  REQUIRE(two.requests.size() == 2);
  CHECK(two.requests[0].body == "hello");
  CHECK(two.requests[0].Query("timeout") == "10s");
  CHECK(two.requests[1].path == "/healthz");
  CHECK(two.state == State::kHead);
  CHECK(two.left.empty());

  Outcome three = Whole(kThree);
  REQUIRE(three.requests.size() == 3);
  CHECK(three.requests[0].body == "abc");
  CHECK(three.requests[1].body == "def");
  CHECK(three.requests[2].path == "/c");
  CHECK_FALSE(three.requests[2].keep_alive);
  CHECK(three.state == State::kHead);

  for (const auto* input : {&kTwo, &kThree}) {
    const std::string want = Whole(*input).Render();
    for (size_t i = 0; i <= input->size(); ++i) {
      INFO("split at " << i);
      CHECK(Run(*input, {i}).Render() == want);
    }
    CHECK(ByteByByte(*input).Render() == want);
  }
  // Three requests, cut at every pair of places.
  const std::string want = three.Render();
  size_t mismatches = 0;
  for (size_t i = 0; i <= kThree.size(); ++i) {
    for (size_t j = i; j <= kThree.size(); ++j) {
      if (Run(kThree, {i, j}).Render() != want) {
        UNSCOPED_INFO("split at " << i << " and " << j);
        ++mismatches;
      }
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("a request cut short stays pending with what it has read") {
  for (size_t i = 0; i < kThree.size(); ++i) {
    INFO("first " << i << " bytes");
    Outcome o = Whole(kThree.substr(0, i));
    CHECK(o.state != State::kError);
    CHECK(o.requests.size() <= 3);
  }
}

TEST_CASE("limits: the head, the number of headers, the body, checked as the bytes arrive") {
  ParserLimits limits;
  limits.max_head_bytes = 100;
  limits.max_headers = 3;
  limits.max_body_bytes = 10;
  auto head_of = [](size_t size) {  // a GET whose head is exactly `size` bytes
    std::string start = "GET / HTTP/1.1\r\nX-P: ";
    return start + std::string(size - start.size() - 4, 'p') + "\r\n\r\n";
  };

  SECTION("a head of the limit passes; a byte more is refused, before its end arrives") {
    CHECK(Whole(head_of(100), limits).requests.size() == 1);
    Outcome over = Whole(head_of(101), limits);
    CHECK(over.status == 431);
    CHECK_THAT(over.message, Catch::Contains("larger than 100 bytes"));
    RequestParser p(limits);
    std::string in = head_of(200).substr(0, 100);  // 100 bytes, no blank line yet
    CHECK(p.Feed(in) == State::kError);
    CHECK(p.error_status() == 431);
  }
  SECTION("the number of headers") {
    CHECK(Whole("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits).requests.size() == 1);
    RequestParser p(limits);
    std::string in = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n";  // refused before the head ends
    CHECK(p.Feed(in) == State::kError);
    CHECK(p.error_status() == 431);
    CHECK_THAT(p.error_message(), Catch::Contains("more than 3 headers"));
  }
  SECTION("a declared length over the limit is refused before any body arrives") {
    CHECK(Whole("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", limits).requests.size() == 1);
    RequestParser p(limits);
    std::string in = "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n";
    CHECK(p.Feed(in) == State::kError);
    CHECK(p.error_status() == 413);
    CHECK(p.declared_length() == 11);  // the loop reads and drops this much before closing
    CHECK_FALSE(p.chunked());
  }
  SECTION("a chunked body is refused at the chunk that takes it past the limit, before that chunk's data") {
    CHECK(Whole(kChunkedHead + "6\r\n012345\r\n4\r\n6789\r\n0\r\n\r\n", limits).requests.size() == 1);
    ParserLimits wide = limits;
    wide.max_head_bytes = 1000;
    RequestParser p(wide);
    std::string in = kChunkedHead + "6\r\n012345\r\n";
    CHECK(p.Feed(in) == State::kBody);
    in += "5\r\n";
    CHECK(p.Feed(in) == State::kError);
    CHECK(p.error_status() == 413);
    CHECK(p.chunked());
  }
  SECTION("a chunk-size line over 1 KiB, trailers over the head limit") {
    ParserLimits wide = limits;
    wide.max_head_bytes = 1000;
    Outcome line = Whole(kChunkedHead + "5;" + std::string(1100, 'e') + "\r\nhello\r\n0\r\n\r\n", wide);
    CHECK(line.status == 400);
    CHECK_THAT(line.message, Catch::Contains("chunk-size line is longer than 1 KiB"));
    Outcome trailers = Whole(kChunkedHead + "0\r\nX-T: " + std::string(1000, 't') + "\r\n\r\n", wide);
    CHECK(trailers.status == 431);
    CHECK_THAT(trailers.message, Catch::Contains("trailers"));
    CHECK(ByteByByte(kChunkedHead + "0\r\nX-T: " + std::string(1000, 't') + "\r\n\r\n", wide).Render() == trailers.Render());
  }
}

TEST_CASE("bytes() follows the request as its bytes arrive") {
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
  RequestParser p;
  std::string in = head.substr(0, 10);
  CHECK(p.Feed(in) == State::kHead);
  CHECK(p.bytes() == 0);  // a partial head stays in the buffer
  in += head.substr(10) + "0123";
  CHECK(p.Feed(in) == State::kBody);
  CHECK(p.bytes() == head.size() + 4);
  CHECK(p.declared_length() == 10);
  in += "456789";
  CHECK(p.Feed(in) == State::kDone);
  CHECK(p.bytes() == head.size() + 10);
  CHECK(p.Take().body == "0123456789");
  CHECK(p.bytes() == 0);

  in = kChunkedHead + "a\r\n01234";
  CHECK(p.Feed(in) == State::kBody);
  CHECK(p.bytes() == kChunkedHead.size() + 3 + 5);  // the size line and the data so far
  CHECK(p.chunked());
  CHECK(p.declared_length() == 0);
}

TEST_CASE("Expect: 100-continue is flagged on every request of a connection") {
  const std::string with_expect = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
  RequestParser p;
  std::string in = with_expect;
  CHECK(p.Feed(in) == State::kBody);
  CHECK(p.awaits_continue());
  in += "{}" + with_expect;  // the body, then the next request's head
  REQUIRE(p.Feed(in) == State::kDone);
  CHECK_FALSE(p.awaits_continue());
  CHECK(p.Take().expect_continue);
  CHECK(p.Feed(in) == State::kBody);
  CHECK(p.awaits_continue());  // the second request waits for its 100 Continue too
  in += "[]";
  REQUIRE(p.Feed(in) == State::kDone);
  HttpRequest second = p.Take();
  CHECK(second.expect_continue);
  CHECK(second.body == "[]");

  in = kChunkedHead.substr(0, kChunkedHead.size() - 2) + "Expect: 100-Continue\r\n\r\n";
  CHECK(p.Feed(in) == State::kBody);
  CHECK(p.awaits_continue());
  in += "0\r\n\r\n";
  REQUIRE(p.Feed(in) == State::kDone);
  CHECK(p.Take().expect_continue);

  in = "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";  // HTTP/1.0: ignored
  CHECK(p.Feed(in) == State::kBody);
  CHECK_FALSE(p.awaits_continue());
  in = "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n";  // no body: nothing to wait for
  RequestParser q;
  CHECK(q.Feed(in) == State::kDone);
  CHECK_FALSE(q.awaits_continue());
}

TEST_CASE("keep-alive follows the version and the Connection tokens") {
  struct KeepAlive {
    std::string in;
    bool keep_alive;
  };
  const std::vector<KeepAlive> cases{
      {"GET / HTTP/1.1\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", true},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    Outcome o = Whole(c.in);
    REQUIRE(o.requests.size() == 1);
    CHECK(o.requests[0].keep_alive == c.keep_alive);
  }
}

TEST_CASE("fed byte by byte, the parser comes to what it comes to fed whole") {
  ParserLimits small;
  small.max_head_bytes = 64;
  small.max_headers = 2;
  small.max_body_bytes = 8;
  const std::vector<std::string> inputs{
      kTwo,
      kThree,
      kTwo + "GET / HTTP/1.1\nX: y\n\n",
      kThree + "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      kChunkedHead + "3\r\nabc\r\n" + std::string(100, 'x'),
      kChunkedHead + "3\r\nabc\r\n0\r\n" + std::string(100, 'x'),
      kChunkedHead + "3\r\nabc\r\n0\r\nA: b\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n0123",
      "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
      "GET /" + std::string(80, 'a') + " HTTP/1.1\r\n\r\n",
      "\r\n\r\n\r",
      "\r\n\r\nGET / HTTP/1.1\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n\r",
  };
  for (const auto& input : inputs) {
    INFO(input.substr(0, 80));
    CHECK(ByteByByte(input).Render() == Whole(input).Render());
    CHECK(ByteByByte(input, small).Render() == Whole(input, small).Render());
  }
}

}  // namespace
}  // namespace pullguard::server

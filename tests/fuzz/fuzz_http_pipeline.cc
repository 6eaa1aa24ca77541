// A connection's bytes, pipelined requests in pieces the fuzzer chooses, through RequestParser.
// Input: one control byte, then up to 15 little-endian 16-bit cut offsets, then the bytes.
//   control & 0x0f: how many cut offsets follow (each taken modulo the stream's length + 1)
//   control & 0x10: small limits (a 256-byte head, 4 headers, a 64-byte body), to reach them
//   control & 0x20: also feed the stream one byte at a time
// Invariants, checked with abort(): Feed never adds bytes to the buffer; the bytes consumed never
// exceed the bytes fed; bytes() never exceeds what the current request consumed; the state is one
// of kHead, kBody, kDone, kError, and kError carries a known status and a message; a kDone
// request's body is what its framing declared (the Content-Length bytes after the head, or the
// chunks' data decoded again here); and the outcome is the same whole, cut, or byte by byte.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_parser.h"

namespace {

using pullguard::server::HttpRequest;
using pullguard::server::ParserLimits;
using pullguard::server::RequestParser;
using State = RequestParser::State;

void Check(bool ok) {
  if (!ok) std::abort();
}

// The body of one request, decoded again from the bytes the parser consumed for it.
std::string DecodeAgain(std::string_view raw, bool chunked) {
  while (raw.size() >= 2 && raw.substr(0, 2) == "\r\n") raw.remove_prefix(2);  // blank lines first
  size_t head_end = raw.find("\r\n\r\n");
  Check(head_end != std::string_view::npos);
  raw.remove_prefix(head_end + 4);
  if (!chunked) return std::string(raw);
  std::string body;
  while (true) {
    size_t eol = raw.find("\r\n");
    Check(eol != std::string_view::npos);
    std::uint64_t size = 0;
    size_t digits = 0;
    for (char c : raw.substr(0, eol)) {
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) break;
      Check(size < (std::uint64_t{1} << 40));  // the parser took it: it is within the body limit
      size = size * 16 + static_cast<std::uint64_t>(d);
      ++digits;
    }
    Check(digits > 0);
    raw.remove_prefix(eol + 2);
    if (size == 0) break;
    Check(raw.size() >= size + 2);
    body.append(raw.substr(0, size));
    Check(raw.substr(size, 2) == "\r\n");
    raw.remove_prefix(size + 2);
  }
  // Trailer lines, then the blank line that ends the request: nothing after it.
  Check(raw.size() >= 2 && raw.substr(raw.size() - 2) == "\r\n");
  Check(raw.size() == 2 || (raw.size() >= 4 && raw.substr(raw.size() - 4) == "\r\n\r\n"));
  return body;
}

std::string Describe(const HttpRequest& r) {
  std::string out = r.method + " " + r.target + " " + r.version + (r.keep_alive ? " k" : " c") + (r.expect_continue ? " e" : "");
  for (const auto& [name, value] : r.headers) out += "|" + name + ":" + value;
  out += "|" + std::to_string(r.body.size()) + ":" + r.body + "\n";
  return out;
}

// Feeds `stream` in pieces ending at `cuts` (ascending), taking each request once done; returns
// a rendering of the requests and of where the parser stopped.
std::string Run(std::string_view stream, const std::vector<size_t>& cuts, const ParserLimits& limits) {
  RequestParser parser(limits);
  std::string buf, out;
  size_t fed = 0, consumed = 0, request_start = 0, prev = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(stream.size());
  bool failed = false;
  for (size_t end : ends) {
    if (failed) break;
    buf.append(stream.substr(prev, end - prev));
    fed += end - prev;
    prev = end;
    while (true) {
      const size_t before = buf.size();
      const State s = parser.Feed(buf);
      Check(buf.size() <= before);
      consumed += before - buf.size();
      Check(consumed <= fed);
      Check(consumed + buf.size() == fed);
      Check(s == parser.state());
      Check(parser.bytes() <= consumed - request_start);
      if (parser.awaits_continue()) Check(s == State::kBody);
      if (s == State::kHead || s == State::kBody) break;
      if (s == State::kError) {
        const int status = parser.error_status();
        Check(status == 400 || status == 411 || status == 413 || status == 415 || status == 431 || status == 505);
        Check(!parser.error_message().empty());
        out += "error " + std::to_string(status) + " " + parser.error_message();
        failed = true;
        break;
      }
      Check(s == State::kDone);
      const bool chunked = parser.chunked();
      const size_t declared = parser.declared_length();
      const size_t bytes = parser.bytes();
      HttpRequest r = parser.Take();
      Check(parser.state() == State::kHead && parser.bytes() == 0);
      Check(declared <= limits.max_body_bytes && r.body.size() <= limits.max_body_bytes);
      Check(bytes >= r.body.size());
      if (chunked) {
        Check(declared == 0);
      } else {
        Check(r.body.size() == declared);
      }
      Check(DecodeAgain(stream.substr(request_start, consumed - request_start), chunked) == r.body);
      request_start = consumed;
      out += Describe(r);
    }
  }
  if (!failed) {
    out += "state " + std::to_string(static_cast<int>(parser.state())) + " bytes " + std::to_string(parser.bytes()) +
           " left " + buf;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  size_t pos = 1;
  std::vector<size_t> offsets;
  for (size_t i = 0; i < (control & 0x0fu) && pos + 2 <= size; ++i, pos += 2) {
    offsets.push_back(static_cast<size_t>(data[pos]) | (static_cast<size_t>(data[pos + 1]) << 8));
  }
  std::string_view stream(reinterpret_cast<const char*>(data) + pos, size - pos);
  for (auto& o : offsets) o %= stream.size() + 1;
  std::sort(offsets.begin(), offsets.end());

  ParserLimits limits;
  if (control & 0x10u) {
    limits.max_head_bytes = 256;
    limits.max_headers = 4;
    limits.max_body_bytes = 64;
  }
  const std::string whole = Run(stream, {}, limits);
  Check(Run(stream, offsets, limits) == whole);
  if (control & 0x20u) {
    std::vector<size_t> every;
    for (size_t i = 1; i < stream.size(); ++i) every.push_back(i);
    Check(Run(stream, every, limits) == whole);
  }
  return 0;
}

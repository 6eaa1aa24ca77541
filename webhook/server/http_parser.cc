#include "server/http_parser.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/optional.hpp>

// Who checks what. Beast 1.74 (basic_parser, Debian's libboost-dev) refuses by itself:
//   - a method that is not a token (error::bad_method), a request-target that is empty or holds a
//     space or control character (bad_target), a version other than HTTP/1.0 and HTTP/1.1,
//     malformed or not (bad_version);
//   - a field name that is not a token, whitespace before the colon (bad_field), a control
//     character in a value, a malformed Connection list (bad_value);
//   - a Content-Length that is not a number or overflows, a Content-Length list whose members
//     differ ("5, 6"), a second Content-Length header with another value (all bad_content_length:
//     1.74 has no error::multiple_content_length, which came with a later Boost); Content-Length
//     after "Transfer-Encoding: chunked" (bad_content_length); Transfer-Encoding after a
//     Content-Length or after "Transfer-Encoding: chunked" (bad_transfer_encoding);
//   - a Content-Length over body_limit, at the header; a chunk whose size takes the body past it,
//     at its chunk-size line, before its data (body_limit);
//   - a malformed chunk size, a chunk's data not followed by CRLF (bad_chunk), a malformed chunk
//     extension (bad_chunk_extension), a CR not followed by LF (bad_line_ending).
// Checked here, because Beast accepts it or would only fail after a timeout:
//   - a bare LF anywhere in the head or the chunk framing. Beast accepts none, but it looks for
//     CR only: once it has asked for more bytes it waits for a "\r\n\r\n" (or, in the framing, a
//     CR) that a client ending its lines with LF never sends, so the request would only meet the
//     request timeout. Heads and framing lines are scanned here as they arrive and refused at the
//     first bare LF or CR;
//   - obs-fold (a header or trailer line starting with SP or HTAB): Beast unfolds it (RFC 9112
//     5.2 allows either); pullguard refuses it, as it does whitespace before the first header;
//   - a second Transfer-Encoding header after one that is not chunked ("gzip", then "chunked":
//     Beast takes the request as chunked);
//   - Transfer-Encoding other than exactly "chunked": Beast only looks for chunked as the last
//     coding and, without it, frames a request as having no body ("chunked, gzip" would leave
//     the body to be read as the next request: request smuggling);
//   - Transfer-Encoding, not chunked, followed by Content-Length (Beast flags the conflict only
//     when it has seen chunked); Transfer-Encoding in an HTTP/1.0 request (RFC 9112 6.1);
//   - the head's size as a whole and its number of headers (Beast's header_limit bounds what one
//     put() is given, and it counts no headers); the size of a chunk-size line and of trailers;
//   - 505 rather than 400 for a well-formed version other than 1.0 and 1.1 (Beast says
//     bad_version for both), 411, and Content-Encoding (415).
// Beast is given whole elements only: the head once its blank line has arrived, a chunk-size
// line (or the last chunk with its trailers) once complete, and chunk data up to the chunk's
// end. So what it sees, and the outcome, do not depend on how the bytes were split.

namespace pullguard::server {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

constexpr size_t kMaxChunkLine = 1024;  // a chunk-size line with its extensions, CRLF not counted
constexpr size_t kMaxEchoed = 64;       // characters of a client's header value quoted in an error

// A body that appends to a std::string as its bytes arrive. (http::string_body reserves the whole
// declared Content-Length when the body starts: memory for bytes that have not arrived.)
struct AppendBody {
  using value_type = std::string;

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
      constexpr std::uint64_t kReserveAtMost = 64 * 1024;
      if (length) body_.reserve(static_cast<size_t>(std::min(*length, kReserveAtMost)));
      ec = {};
    }

    std::size_t put(net::const_buffer buffer, beast::error_code& ec) {
      body_.append(static_cast<const char*>(buffer.data()), buffer.size());
      ec = {};
      return buffer.size();
    }

    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

struct Refusal {
  int status;
  std::string message;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return {};
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

bool IEquals(std::string_view a, std::string_view b) { return a.size() == b.size() && Lower(a) == Lower(b); }

std::string Echo(std::string_view s) {
  return s.size() <= kMaxEchoed ? std::string(s) : std::string(s.substr(0, kMaxEchoed)) + "...";
}

std::string ToString(beast::string_view s) { return std::string(s.data(), s.size()); }

std::string Amount(size_t n) {
  constexpr size_t kMiB = 1024 * 1024;
  if (n >= kMiB && n % kMiB == 0) return std::to_string(n / kMiB) + " MiB";
  if (n >= 1024 && n % 1024 == 0) return std::to_string(n / 1024) + " KiB";
  return std::to_string(n) + " bytes";
}

std::string HeadTooLarge(const ParserLimits& limits) {
  return "the request head is larger than " + Amount(limits.max_head_bytes);
}

std::string BodyTooLarge(const ParserLimits& limits) {
  return "the body is larger than the " + Amount(limits.max_body_bytes) + " an AdmissionReview may have";
}

// The first number of a Content-Length that Beast accepted (all its members are equal).
std::uint64_t FirstNumber(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : Trim(s)) {
    if (!IsDigit(c)) break;
    if (v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return std::numeric_limits<std::uint64_t>::max();
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

bool HasHeader(const HttpRequest& r, std::string_view name) {
  return std::any_of(r.headers.begin(), r.headers.end(), [&](const auto& h) { return h.first == name; });
}

// Why Beast refused a whole head. `so_far` holds the start line and the fields it accepted.
Refusal HeadRefusal(const beast::error_code& ec, std::string_view head, const HttpRequest& so_far) {
  if (so_far.method.empty()) {  // the request line
    if (ec == http::error::bad_method) return {400, "malformed request line: the method is not a token"};
    if (ec == http::error::bad_target) return {400, "malformed request line: bad request-target"};
    // bad_version, or a line too short to hold a version (Beast asks for more bytes).
    std::string_view line = head.substr(0, head.find("\r\n"));
    size_t sp = line.rfind(' ');
    std::string_view version = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    bool shaped = version.size() == 8 && version.substr(0, 5) == "HTTP/" && IsDigit(version[5]) && version[6] == '.' &&
                  IsDigit(version[7]);
    if (shaped && version != "HTTP/1.1" && version != "HTTP/1.0") {
      return {505, std::string(version) + " is not served: only HTTP/1.1 and HTTP/1.0"};
    }
    return {400, "malformed request line: not METHOD SP request-target SP HTTP/1.1"};
  }
  if (ec == http::error::bad_content_length) {
    if (HasHeader(so_far, "transfer-encoding")) return {400, "both Transfer-Encoding and Content-Length"};
    if (HasHeader(so_far, "content-length")) return {400, "Content-Length headers with different values"};
    return {400, "Content-Length is not a number, or lists different values"};
  }
  if (ec == http::error::bad_transfer_encoding) {
    if (HasHeader(so_far, "content-length")) return {400, "both Transfer-Encoding and Content-Length"};
    return {400, "more than one Transfer-Encoding header"};
  }
  if (ec == http::error::bad_field) return {400, "malformed header line: the name is not a token, or whitespace before the colon"};
  if (ec == http::error::bad_value) return {400, "malformed header value: a control character, or a bad Connection list"};
  if (ec == http::error::bad_line_ending) return {400, "a line of the request head does not end with CRLF"};
  if (ec == http::error::header_limit) return {431, "the request head is too large"};
  return {400, ec ? "malformed request head: " + ec.message() : std::string("malformed request head")};
}

// Why Beast refused a chunk-size line, the last chunk and its trailers, or body bytes.
Refusal BodyRefusal(const beast::error_code& ec, const ParserLimits& limits) {
  if (ec == http::error::body_limit) return {413, BodyTooLarge(limits)};
  if (ec == http::error::bad_chunk) return {400, "malformed chunk: a bad chunk size, or chunk data not followed by CRLF"};
  if (ec == http::error::bad_chunk_extension) return {400, "malformed chunk extension"};
  if (ec == http::error::bad_line_ending) return {400, "a line of the chunked framing does not end with CRLF"};
  if (ec == http::error::bad_field || ec == http::error::bad_value) return {400, "malformed trailer"};
  if (ec == http::error::bad_content_length || ec == http::error::bad_transfer_encoding) {
    return {400, "Content-Length or Transfer-Encoding in the trailers"};
  }
  if (ec == http::error::header_limit) return {431, "the trailers are too large"};
  return {400, "malformed chunked body: " + ec.message()};
}

}  // namespace

// The Beast parser of the current request, and what its chunk callbacks learn. Not movable (the
// callbacks point at it): RequestParser holds it by pointer.
struct RequestParser::Impl {
  using Parser = http::request_parser<AppendBody>;

  std::uint64_t chunk_left = 0;  // data bytes of the current chunk still to come
  bool saw_chunk = false;        // a chunk with data was read: the next chunk-size line follows its CRLF
  std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> on_chunk_header;
  std::function<std::size_t(std::uint64_t, beast::string_view, beast::error_code&)> on_chunk_body;
  std::optional<Parser> parser;  // after the callbacks it refers to, so destroyed before them

  Impl()
      : on_chunk_header([this](std::uint64_t size, beast::string_view, beast::error_code& ec) {
          chunk_left = size;
          if (size > 0) saw_chunk = true;
          ec = {};
        }),
        on_chunk_body([this](std::uint64_t remain, beast::string_view data, beast::error_code& ec) -> std::size_t {
          parser->get().body().append(data.data(), data.size());
          chunk_left = remain - data.size();
          ec = {};
          return data.size();
        }) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // A fresh parser for the next request (a Beast parser reads one message only).
  Parser& Start(const ParserLimits& limits) {
    parser.emplace();
    parser->eager(true);
    // The head is given whole, after its size was checked: Beast's own limit must not bite first.
    size_t head_limit = std::min<size_t>(limits.max_head_bytes, std::numeric_limits<std::uint32_t>::max() - 1) + 1;
    parser->header_limit(static_cast<std::uint32_t>(head_limit));
    parser->body_limit(static_cast<std::uint64_t>(limits.max_body_bytes));
    parser->on_chunk_header(on_chunk_header);
    parser->on_chunk_body(on_chunk_body);
    chunk_left = 0;
    saw_chunk = false;
    return *parser;
  }
};

const std::string& HttpRequest::Header(const std::string& name) const {
  static const std::string kNone;
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return kNone;
}

std::string HttpRequest::Query(const std::string& name, bool* found) const {
  if (found) *found = false;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      if (found) *found = true;
      return eq == std::string::npos ? "" : pair.substr(eq + 1);
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return "";
}

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {}
RequestParser::~RequestParser() = default;
RequestParser::RequestParser(RequestParser&&) noexcept = default;
RequestParser& RequestParser::operator=(RequestParser&&) noexcept = default;

RequestParser::State RequestParser::Fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  state_ = State::kError;
  return state_;
}

RequestParser::State RequestParser::Feed(std::string& data) {
  if (state_ == State::kHead) {
    if (head_pos_ == 0) {
      // Blank lines before a request are allowed (RFC 9112 2.2).
      size_t skip = 0;
      while (skip + 1 < data.size() && data[skip] == '\r' && data[skip + 1] == '\n') skip += 2;
      if (skip > 0) data.erase(0, skip);
    }
    size_t end = ScanHead(data);
    if (end > 0) ParseHead(data, end);
  }
  if (state_ == State::kBody) FeedBody(data);
  return state_;
}

// Looks at the head's new bytes: every line ends with CRLF, no header line starts with
// whitespace, the head stays within its limits. Returns the head's length once its blank line
// is in `data`, else 0 (also when it refused the head).
size_t RequestParser::ScanHead(const std::string& data) {
  const size_t limit = limits_.max_head_bytes;
  size_t i = head_pos_;
  while (i < data.size() && i < limit) {
    const char c = data[i];
    if (c == '\r') {
      if (i + 1 == data.size()) break;  // its LF may come with the next bytes
      if (data[i + 1] != '\n') {
        Fail(400, "a CR without LF in the request head: lines end with CRLF");
        return 0;
      }
      if (i == line_start_) {  // the blank line that ends the head
        if (i + 2 > limit) {
          Fail(431, HeadTooLarge(limits_));
          return 0;
        }
        return i + 2;
      }
      ++head_lines_;  // the request line, then the headers
      if (head_lines_ - 1 > limits_.max_headers) {
        Fail(431, "more than " + std::to_string(limits_.max_headers) + " headers");
        return 0;
      }
      i += 2;
      line_start_ = i;
      continue;
    }
    if (c == '\n') {
      Fail(400, "a bare LF in the request head: lines end with CRLF");
      return 0;
    }
    if (i == line_start_ && head_lines_ > 0 && (c == ' ' || c == '\t')) {
      Fail(400, "obs-fold: a header line starts with whitespace");
      return 0;
    }
    ++i;
  }
  head_pos_ = i;
  // Every byte up to the limit seen, and no blank line: the head is longer than the limit.
  if (i >= limit) Fail(431, HeadTooLarge(limits_));
  return 0;
}

// Gives Beast the whole head (data[0, end)), then checks what it leaves to us.
RequestParser::State RequestParser::ParseHead(std::string& data, size_t end) {
  if (!impl_) impl_ = std::make_unique<Impl>();
  auto& parser = impl_->Start(limits_);
  beast::error_code ec;
  parser.put(net::const_buffer(data.data(), end), ec);

  // The start line and the fields Beast accepted, whatever happened after them.
  const auto& msg = parser.get();
  request_.method = ToString(msg.method_string());
  request_.target = ToString(msg.target());
  size_t q = request_.target.find('?');
  request_.path = request_.target.substr(0, q);
  request_.query = q == std::string::npos ? "" : request_.target.substr(q + 1);
  request_.version = msg.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  request_.headers.clear();
  for (const auto& field : msg) request_.headers.emplace_back(Lower(ToString(field.name_string())), ToString(field.value()));

  // body_limit: a Content-Length over the limit, refused at the header (all fields read). It is
  // answered after the checks below, which may find a worse problem with the head.
  const bool too_large = ec == http::error::body_limit;
  if (ec ? !too_large : !parser.is_header_done()) {
    Refusal r = HeadRefusal(ec, std::string_view(data.data(), end), request_);
    return Fail(r.status, std::move(r.message));
  }
  data.erase(0, end);
  bytes_ += end;
  return CheckHead(too_large);
}

RequestParser::State RequestParser::CheckHead(bool body_too_large) {
  auto& parser = *impl_->parser;
  size_t te_count = 0, cl_count = 0;
  std::string te, cl, encoding;
  bool expect_continue = false;
  for (const auto& [name, value] : request_.headers) {
    if (name == "transfer-encoding") {
      ++te_count;
      te = value;
    } else if (name == "content-length") {
      if (cl_count++ == 0) cl = value;
    } else if (name == "content-encoding") {
      std::string_view rest = value;
      while (encoding.empty() && !rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view coding = Trim(rest.substr(0, comma));
        if (!coding.empty() && !IEquals(coding, "identity")) encoding = Lower(value);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    } else if (name == "expect") {
      if (IEquals(Trim(value), "100-continue")) expect_continue = true;
    }
  }
  // RFC 9112 6.1 and 6.3: framing the server cannot be sure of is refused, then the connection closed.
  if (te_count > 1) return Fail(400, "more than one Transfer-Encoding header");
  if (te_count == 1 && cl_count > 0) return Fail(400, "both Transfer-Encoding and Content-Length");
  if (te_count == 1 && request_.version == "HTTP/1.0") return Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
  if (te_count == 1 && !IEquals(te, "chunked")) {
    return Fail(400, "Transfer-Encoding " + Echo(te) + " is not accepted: only chunked");
  }
  chunked_ = te_count == 1;
  std::uint64_t length = cl_count > 0 ? FirstNumber(cl) : 0;
  declared_ = static_cast<size_t>(std::min<std::uint64_t>(length, std::numeric_limits<size_t>::max()));

  if ((chunked_ || declared_ > 0) && !encoding.empty()) {
    return Fail(415, "Content-Encoding " + Echo(encoding) + " is not accepted: send the AdmissionReview as it is");
  }
  if (!chunked_ && cl_count == 0 &&
      (request_.method == "POST" || request_.method == "PUT" || request_.method == "PATCH")) {
    return Fail(411, "a body needs a Content-Length or chunked transfer coding");
  }
  if (body_too_large || declared_ > limits_.max_body_bytes) return Fail(413, BodyTooLarge(limits_));

  request_.keep_alive = parser.keep_alive();
  // RFC 9110 10.1.1: an HTTP/1.0 request's 100-continue expectation is ignored.
  request_.expect_continue = expect_continue && request_.version == "HTTP/1.1";
  state_ = parser.is_done() ? State::kDone : State::kBody;
  return state_;
}

// Gives Beast the body's bytes as they come: Content-Length bytes at once, chunk data up to the
// chunk's end, framing elements whole.
RequestParser::State RequestParser::FeedBody(std::string& data) {
  auto& parser = *impl_->parser;
  while (state_ == State::kBody && !data.empty()) {
    const bool framing = chunked_ && impl_->chunk_left == 0;
    size_t window = data.size();
    if (framing) {
      window = ScanChunkFraming(data);
      if (window == 0) return state_;  // not complete yet, or refused
    } else if (chunked_) {
      window = static_cast<size_t>(std::min<std::uint64_t>(window, impl_->chunk_left));
    }
    beast::error_code ec;
    const size_t n = parser.put(net::const_buffer(data.data(), window), ec);
    data.erase(0, n);
    bytes_ += n;
    if (ec && ec != http::error::need_more) {
      Refusal r = BodyRefusal(ec, limits_);
      return Fail(r.status, std::move(r.message));
    }
    if (parser.is_done()) {
      state_ = State::kDone;
      return state_;
    }
    if (framing) {
      frame_active_ = false;
      // A whole element that Beast did not take (an unterminated quoted chunk extension).
      if (n != window) return Fail(400, "malformed chunk-size line");
    }
    if (n == 0) return state_;
  }
  return state_;
}

// Looks at the framing element at the front of `data`: a chunk-size line (after the CRLF that
// ends the previous chunk's data), or the last chunk and its trailer section. Returns its length
// once complete, else 0 (also when it refused it).
size_t RequestParser::ScanChunkFraming(const std::string& data) {
  if (!frame_active_) {
    frame_active_ = true;
    frame_trailers_ = false;
    frame_size_start_ = impl_->saw_chunk ? 2 : 0;
    frame_pos_ = frame_size_start_;
    frame_digits_ = 0;
    frame_in_digits_ = true;
    frame_all_zero_ = true;
  }
  if (frame_size_start_ == 2 && ((!data.empty() && data[0] != '\r') || (data.size() > 1 && data[1] != '\n'))) {
    Fail(400, "chunk data is not followed by CRLF");
    return 0;
  }
  size_t i = frame_pos_;
  while (i < data.size()) {
    const char c = data[i];
    if (!frame_trailers_) {
      if (c != '\r' && i - frame_size_start_ >= kMaxChunkLine) {
        Fail(400, "a chunk-size line is longer than " + Amount(kMaxChunkLine));
        return 0;
      }
      if (c == '\r') {
        if (i + 1 == data.size()) break;
        if (data[i + 1] != '\n') {
          Fail(400, "a CR without LF in the chunked framing: lines end with CRLF");
          return 0;
        }
        i += 2;
        if (frame_digits_ == 0 || !frame_all_zero_) return i;  // a chunk's size line
        frame_trailers_ = true;  // the last chunk: its trailer section ends with a blank line
        frame_trailer_start_ = i;
        frame_line_start_ = i;
        continue;
      }
      if (c == '\n') {
        Fail(400, "a bare LF in the chunked framing: lines end with CRLF");
        return 0;
      }
      if (frame_in_digits_) {
        if (IsHexDigit(c)) {
          ++frame_digits_;
          if (c != '0') frame_all_zero_ = false;
        } else {
          frame_in_digits_ = false;
        }
      }
      ++i;
      continue;
    }
    if (i - frame_trailer_start_ + (c == '\r' ? 2 : 1) > limits_.max_head_bytes) {
      Fail(431, "the trailers are larger than " + Amount(limits_.max_head_bytes));
      return 0;
    }
    if (c == '\r') {
      if (i + 1 == data.size()) break;
      if (data[i + 1] != '\n') {
        Fail(400, "a CR without LF in the trailers: lines end with CRLF");
        return 0;
      }
      const bool blank = i == frame_line_start_;
      i += 2;
      frame_line_start_ = i;
      if (blank) return i;
      continue;
    }
    if (c == '\n') {
      Fail(400, "a bare LF in the trailers: lines end with CRLF");
      return 0;
    }
    if (i == frame_line_start_ && (c == ' ' || c == '\t')) {
      Fail(400, "obs-fold: a trailer line starts with whitespace");
      return 0;
    }
    ++i;
  }
  frame_pos_ = i;
  return 0;
}

HttpRequest RequestParser::Take() {
  HttpRequest out = std::move(request_);
  if (impl_ && impl_->parser) {
    out.body = std::move(impl_->parser->get().body());
    impl_->parser.reset();
  }
  request_ = HttpRequest{};
  state_ = State::kHead;
  head_pos_ = 0;
  line_start_ = 0;
  head_lines_ = 0;
  frame_active_ = false;
  chunked_ = false;
  declared_ = 0;
  bytes_ = 0;
  return out;
}

}  // namespace pullguard::server

#include "server/http_parser.h"

#include <algorithm>
#include <cctype>

namespace pullguard::server {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

bool IsToken(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

}  // namespace

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

RequestParser::State RequestParser::Fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  state_ = State::kError;
  return state_;
}

RequestParser::State RequestParser::Feed(std::string& data) {
  if (state_ == State::kHead) ParseHead(data);
  if (state_ == State::kBody) ParseBody(data);
  return state_;
}

RequestParser::State RequestParser::ParseHead(std::string& data) {
  // Blank lines before a request are allowed (RFC 9112 2.2).
  if (scanned_ == 0) {
    size_t skip = 0;
    while (skip + 1 < data.size() && data[skip] == '\r' && data[skip + 1] == '\n') skip += 2;
    if (skip) data.erase(0, skip);
  }
  size_t from = scanned_ > 3 ? scanned_ - 3 : 0;
  size_t end = data.find("\r\n\r\n", from);
  if (end == std::string::npos) {
    scanned_ = data.size();
    if (data.size() > limits_.max_head_bytes) {
      return Fail(431, "the request head is larger than " + std::to_string(limits_.max_head_bytes / 1024) + " KiB");
    }
    return state_;
  }
  if (end + 4 > limits_.max_head_bytes) {
    return Fail(431, "the request head is larger than " + std::to_string(limits_.max_head_bytes / 1024) + " KiB");
  }
  std::string head = data.substr(0, end);
  data.erase(0, end + 4);
  bytes_ += end + 4;
  scanned_ = 0;

  size_t line_end = head.find("\r\n");
  std::string line = head.substr(0, line_end);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return Fail(400, "malformed request line");
  request_.method = line.substr(0, sp1);
  request_.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  request_.version = line.substr(sp2 + 1);
  if (!IsToken(request_.method) || request_.target.empty() || request_.target.find(' ') != std::string::npos) {
    return Fail(400, "malformed request line");
  }
  if (request_.version != "HTTP/1.1" && request_.version != "HTTP/1.0") return Fail(505, "only HTTP/1.1 and HTTP/1.0 are served");
  size_t q = request_.target.find('?');
  request_.path = request_.target.substr(0, q);
  request_.query = q == std::string::npos ? "" : request_.target.substr(q + 1);

  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    std::string h = head.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? head.size() : eol + 2;
    size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || !IsToken(h.substr(0, colon))) return Fail(400, "malformed header line");
    if (request_.headers.size() >= limits_.max_headers) return Fail(431, "more than " + std::to_string(limits_.max_headers) + " headers");
    request_.headers.emplace_back(Lower(h.substr(0, colon)), Trim(h.substr(colon + 1)));
  }

  std::string connection = Lower(request_.Header("connection"));
  request_.keep_alive = request_.version == "HTTP/1.1" ? connection.find("close") == std::string::npos
                                                       : connection.find("keep-alive") != std::string::npos;
  request_.expect_continue = Lower(request_.Header("expect")) == "100-continue";
  std::string encoding = Lower(request_.Header("content-encoding"));
  if (!encoding.empty() && encoding != "identity") {
    return Fail(415, "Content-Encoding " + encoding + " is not accepted: send the AdmissionReview as it is");
  }
  std::string te = Lower(request_.Header("transfer-encoding"));
  const std::string& cl = request_.Header("content-length");
  if (!te.empty()) {
    if (!cl.empty()) return Fail(400, "both Content-Length and Transfer-Encoding");
    if (te != "chunked") return Fail(501, "Transfer-Encoding " + te + " is not supported");
    chunked_ = true;
    chunk_ = Chunk::kSize;
  } else if (!cl.empty()) {
    if (cl.size() > 12 || !std::all_of(cl.begin(), cl.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return Fail(400, "Content-Length is not a number");
    }
    remaining_ = std::stoull(cl);
    declared_ = remaining_;
    if (remaining_ > limits_.max_body_bytes) {
      return Fail(413, "the body is larger than the " + std::to_string(limits_.max_body_bytes >> 20) +
                           " MiB an AdmissionReview may have");
    }
  } else if (request_.method == "POST" || request_.method == "PUT" || request_.method == "PATCH") {
    return Fail(411, "a body needs a Content-Length or chunked transfer coding");
  }
  state_ = State::kBody;
  return state_;
}

RequestParser::State RequestParser::ParseBody(std::string& data) {
  if (chunked_) return ParseChunked(data);
  size_t n = std::min(remaining_, data.size());
  request_.body.append(data, 0, n);
  data.erase(0, n);
  remaining_ -= n;
  bytes_ += n;
  if (remaining_ == 0) state_ = State::kDone;
  return state_;
}

RequestParser::State RequestParser::ParseChunked(std::string& data) {
  while (!data.empty()) {
    switch (chunk_) {
      case Chunk::kSize: {
        size_t eol = data.find("\r\n");
        if (eol == std::string::npos) {
          if (data.size() > 1024) return Fail(400, "a chunk size line is too long");
          return state_;
        }
        std::string line = data.substr(0, eol);
        data.erase(0, eol + 2);
        bytes_ += eol + 2;
        std::string hex = line.substr(0, line.find(';'));  // extensions are ignored
        hex = Trim(hex);
        if (hex.empty() || hex.size() > 8 || !std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c); })) {
          return Fail(400, "malformed chunk size");
        }
        chunk_left_ = std::stoul(hex, nullptr, 16);
        if (request_.body.size() + chunk_left_ > limits_.max_body_bytes) {
          return Fail(413, "the body is larger than the " + std::to_string(limits_.max_body_bytes >> 20) +
                               " MiB an AdmissionReview may have");
        }
        chunk_ = chunk_left_ == 0 ? Chunk::kTrailer : Chunk::kData;
        break;
      }
      case Chunk::kData: {
        size_t n = std::min(chunk_left_, data.size());
        request_.body.append(data, 0, n);
        data.erase(0, n);
        chunk_left_ -= n;
        bytes_ += n;
        if (chunk_left_ == 0) chunk_ = Chunk::kDataEnd;
        break;
      }
      case Chunk::kDataEnd:
        if (data.size() < 2) return state_;
        if (data.compare(0, 2, "\r\n") != 0) return Fail(400, "a chunk does not end with CRLF");
        data.erase(0, 2);
        bytes_ += 2;
        chunk_ = Chunk::kSize;
        break;
      case Chunk::kTrailer: {
        size_t eol = data.find("\r\n");
        if (eol == std::string::npos) {
          if (data.size() + trailer_bytes_ > limits_.max_head_bytes) return Fail(431, "the trailers are too large");
          return state_;
        }
        data.erase(0, eol + 2);
        bytes_ += eol + 2;
        trailer_bytes_ += eol + 2;
        if (eol == 0) {
          state_ = State::kDone;
          return state_;
        }
        if (trailer_bytes_ > limits_.max_head_bytes) return Fail(431, "the trailers are too large");
        break;
      }
    }
  }
  return state_;
}

HttpRequest RequestParser::Take() {
  HttpRequest out = std::move(request_);
  request_ = HttpRequest{};
  state_ = State::kHead;
  scanned_ = 0;
  chunked_ = false;
  remaining_ = 0;
  declared_ = 0;
  chunk_left_ = 0;
  trailer_bytes_ = 0;
  bytes_ = 0;
  return out;
}

}  // namespace pullguard::server

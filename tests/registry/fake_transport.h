// FakeTransport: answers requests from a script of handlers, records what was sent, and keeps
// the contract of the real transport: an answer that would come after the request's deadline
// is a timeout (the fake waits only until the deadline), and bodies are cut at kMaxBodyBytes
// with body_truncated set.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "registry/http.h"

namespace pullguard::registry {

// A scripted answer: the response, and how long the server takes to give it.
struct Scripted {
  HttpResponse response;
  std::chrono::milliseconds delay{0};
};

class FakeTransport : public HttpTransport {
 public:
  using Handler = std::function<Scripted(const HttpRequest&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}
  // For handlers that answer at once.
  explicit FakeTransport(std::function<HttpResponse(const HttpRequest&)> handler)
      : handler_([h = std::move(handler)](const HttpRequest& req) { return Scripted{h(req), {}}; }) {}

  HttpResponse Send(const HttpRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      sent_.push_back(request);
    }
    Scripted s = handler_(request);
    auto answer_at = Clock::now() + s.delay;
    if (answer_at > request.deadline) {
      std::this_thread::sleep_until(request.deadline);
      HttpResponse timeout;
      timeout.error = TransportError::kTimeout;
      timeout.error_detail = "Operation timed out";
      return timeout;
    }
    std::this_thread::sleep_until(answer_at);
    if (request.method == "HEAD") s.response.body.clear();
    if (s.response.body.size() > kMaxBodyBytes) {
      s.response.body.resize(kMaxBodyBytes);
      s.response.body_truncated = true;
    }
    return s.response;
  }
  std::vector<HttpRequest> sent() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }
  size_t Count(const std::function<bool(const HttpRequest&)>& match) {
    size_t n = 0;
    for (const auto& r : sent()) n += match(r) ? 1 : 0;
    return n;
  }

 private:
  Handler handler_;
  std::mutex mutex_;
  std::vector<HttpRequest> sent_;
};

inline HttpResponse Status(int status, std::multimap<std::string, std::string> headers = {}, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

inline HttpResponse Broken(TransportError error, std::string detail = "detail") {
  HttpResponse r;
  r.error = error;
  r.error_detail = std::move(detail);
  return r;
}

inline std::string AuthorizationOf(const HttpRequest& req) {
  for (const auto& [k, v] : req.headers) {
    if (k == "Authorization") return v;
  }
  return "";
}

}  // namespace pullguard::registry

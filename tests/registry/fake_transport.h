// FakeTransport: answers requests from a script of handlers, and records what was sent.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "registry/http.h"

namespace pullguard::registry {

class FakeTransport : public HttpTransport {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}
  HttpResponse Send(const HttpRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      sent_.push_back(request);
    }
    return handler_(request);
  }
  std::vector<HttpRequest> sent() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
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

inline std::string AuthorizationOf(const HttpRequest& req) {
  for (const auto& [k, v] : req.headers) {
    if (k == "Authorization") return v;
  }
  return "";
}

}  // namespace pullguard::registry

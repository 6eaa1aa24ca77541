#include "registry/sender.h"

#include <algorithm>

#include "common/metrics.h"
#include "registry/url.h"

namespace pullguard::registry {
namespace {

bool IsRedirect(int status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

bool IsAuthorization(const std::pair<std::string, std::string>& header) {
  std::string name = header.first;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name == "authorization";
}

}  // namespace

HttpResponse Sender::Send(HttpRequest request) {
  for (int hop = 0;; ++hop) {
    Clock::time_point started = Clock::now();
    HttpResponse response = transport_.Send(request);
    ObserveRegistryRequest(request.metrics_label, request.method,
                           response.error == TransportError::kNone ? response.status : 0,
                           std::chrono::duration<double>(Clock::now() - started).count());
    if (response.error != TransportError::kNone || !IsRedirect(response.status)) return response;
    std::string location = response.Header("location");
    if (location.empty()) return response;
    if (hop == kMaxRedirects) {
      response.error = TransportError::kProtocol;
      response.error_detail = "more than " + std::to_string(kMaxRedirects) + " redirects";
      return response;
    }
    std::string next = ResolveLocation(request.url, location);
    if (UrlScheme(request.url) == "https" && UrlScheme(next) != "https") {
      response.error = TransportError::kProtocol;
      response.error_detail = "redirect from https to " + RedactUrl(next) + " refused";
      return response;
    }
    if (UrlHost(next) != UrlHost(request.url)) {
      request.headers.erase(std::remove_if(request.headers.begin(), request.headers.end(), IsAuthorization),
                            request.headers.end());
    }
    request.url = next;
  }
}

}  // namespace pullguard::registry

// Sender: one request, following at most 3 redirects. Authorization never crosses to another
// host, and an https exchange is never redirected to plain http.
// Thread-safety: Send() may be called from any thread.
#pragma once

#include "registry/http.h"

namespace pullguard::registry {

inline constexpr int kMaxRedirects = 3;

class Sender {
 public:
  explicit Sender(HttpTransport& transport) : transport_(transport) {}
  HttpResponse Send(HttpRequest request);

 private:
  HttpTransport& transport_;
};

}  // namespace pullguard::registry

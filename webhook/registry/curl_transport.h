// CurlTransport: HttpTransport on one libcurl multi handle, driven by one thread. Callers
// block in Send() while the loop runs every transfer at once, so concurrent checks share
// connections and DNS answers, and HTTP/2 multiplexes them where the registry offers it.
// Each connection's address passes the address guard before the socket opens.
// Thread-safety: Send() may be called from any number of threads.
#pragma once

#include <memory>

#include "registry/http.h"

namespace pullguard::registry {

class CurlTransport : public HttpTransport {
 public:
  CurlTransport();
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse Send(const HttpRequest& request) override;

 private:
  struct Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace pullguard::registry

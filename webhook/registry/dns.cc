#include "registry/dns.h"

#include <netdb.h>
#include <sys/socket.h>

namespace pullguard::registry {

int ResolveAgain(const std::string& host) {
  std::string name = host;
  if (!name.empty() && name.front() == '[') {
    name = name.substr(1, name.find(']') - 1);
  } else if (size_t colon = name.rfind(':'); colon != std::string::npos && name.find(':') == colon) {
    name = name.substr(0, colon);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int code = getaddrinfo(name.c_str(), nullptr, &hints, &result);
  if (result != nullptr) freeaddrinfo(result);
  return code;
}

}  // namespace pullguard::registry

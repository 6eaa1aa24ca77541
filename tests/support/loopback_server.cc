#include "support/loopback_server.h"

#include <chrono>

namespace pullguard::testing {

int ServeOnLoopback(httplib::Server& server, std::thread& thread) {
  int port = server.bind_to_any_port("127.0.0.1");
  thread = std::thread([&server] { server.listen_after_bind(); });
  for (int i = 0; i < 500 && !server.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return port;
}

}  // namespace pullguard::testing

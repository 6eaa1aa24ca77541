// Starts a cpp-httplib test server on 127.0.0.1 and a free port, served by `thread`, and
// returns once it accepts connections (bounded wait). Stop with server.stop(); thread.join().
#pragma once

#include <httplib.h>

#include <thread>

namespace pullguard::testing {

int ServeOnLoopback(httplib::Server& server, std::thread& thread);

}  // namespace pullguard::testing

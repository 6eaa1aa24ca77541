// A TCP port on 127.0.0.1 that nothing listens on right now (bind to 0, read, close).
#pragma once

namespace pullguard::testing {
int FreePort();
}  // namespace pullguard::testing

#include "support/forward_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "support/free_port.h"

namespace pullguard::testing {
namespace {

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::vector<std::string> WithFileOver(const std::string& file, const std::string& target, std::vector<std::string> argv) {
  std::vector<std::string> out{"unshare", "-m", "--propagation", "private", "sh", "-c",
                               "mount --bind \"$0\" " + target + " && exec \"$@\"", file};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::vector<std::string> WithHostsFile(const std::string& hosts, std::vector<std::string> argv) {
  return WithFileOver(hosts, "/etc/hosts", std::move(argv));
}

std::string CannotBindFiles() {
  TempDir dir;
  std::string hosts = dir.Write("hosts", "127.0.0.1 localhost\n");
  RunResult r = Run(WithHostsFile(hosts, {"true"}));
  if (r.exit_code != 0) return "cannot bind a file in a mount namespace of its own (not root?): " + r.err;
  return "";
}

std::string ForwardProxy::Unavailable(bool with_hosts) {
  if (Run({"sh", "-c", "command -v tinyproxy"}).exit_code != 0) {
    return "tinyproxy is not installed (.ci/install-deps.sh installs it)";
  }
  return with_hosts ? CannotBindFiles() : "";
}

ForwardProxy::ForwardProxy(ForwardProxyOptions options) {
  port_ = FreePort();
  std::string config = "Port " + std::to_string(port_) +
                       "\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 60\nMaxClients 200\nDisableViaHeader Yes\n"
                       "LogLevel Connect\nLogFile \"" + dir_.File("tinyproxy.log") + "\"\n";
  for (int p : options.connect_ports) config += "ConnectPort " + std::to_string(p) + "\n";
  std::string conf = dir_.Write("tinyproxy.conf", config);
  std::vector<std::string> argv{"tinyproxy", "-d", "-c", conf};
  if (!options.hosts.empty()) argv = WithHostsFile(options.hosts, argv);
  process_ = std::make_unique<Process>(argv, dir_.path());
  for (int i = 0; i < 200; ++i) {
    if (Accepts(port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error("tinyproxy did not start: " + process_->Stderr() + Log());
}

std::string ForwardProxy::Log() const { return ReadAll(dir_.File("tinyproxy.log")); }

int ForwardProxy::Connects(const std::string& host_port) const {
  std::string log = Log();
  const std::string needle = "CONNECT " + host_port + " HTTP/";
  int n = 0;
  for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace pullguard::testing

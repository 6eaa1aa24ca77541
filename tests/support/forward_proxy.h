// ForwardProxy: Debian's tinyproxy, a real forward proxy (CONNECT tunnels for https, absolute
// URLs for plain http), on 127.0.0.1 and a free port, with its own log.
//
// With `hosts`, the proxy resolves names with that file instead of /etc/hosts (it runs in a
// private mount namespace with the file bound over /etc/hosts). Registries on 127.0.0.1 can
// then be named as remote ones are ("registry.pullguard.test:5000"): by Go's rules, which
// pullguard follows, a loopback address or localhost never goes through a proxy, and only
// the proxy, not pullguard, can resolve such a name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace pullguard::testing {

struct ForwardProxyOptions {
  std::vector<int> connect_ports;  // the ports CONNECT may reach (tinyproxy's ConnectPort); empty: any
  std::string hosts;               // an /etc/hosts for the proxy alone; "": the machine's
};

class ForwardProxy {
 public:
  explicit ForwardProxy(ForwardProxyOptions options);

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // tinyproxy's log: a tunnel is "Request (file descriptor N): CONNECT host:port HTTP/1.1".
  std::string Log() const;
  // How many CONNECT requests for `host_port` the log holds so far.
  int Connects(const std::string& host_port) const;

  // "" when a ForwardProxy can run here (with a hosts file of its own when `with_hosts`), else
  // why not: tinyproxy is not installed, or no mount namespace can be made (not root).
  static std::string Unavailable(bool with_hosts);

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

// "" when WithFileOver works here, else why not (a mount namespace needs root).
std::string CannotBindFiles();

// `argv` run with `file` bound over `target` (/etc/hosts, /etc/resolv.conf), in a mount
// namespace of its own: the rest of the machine keeps its own.
std::vector<std::string> WithFileOver(const std::string& file, const std::string& target, std::vector<std::string> argv);
// `argv` run with `hosts` bound over /etc/hosts.
std::vector<std::string> WithHostsFile(const std::string& hosts, std::vector<std::string> argv);

}  // namespace pullguard::testing

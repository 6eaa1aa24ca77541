#include "support/containerd.h"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pullguard::testing {

Containerd::Containerd() {
  if (::geteuid() != 0) throw std::runtime_error("containerd needs root: run the tests as root, as CI does");
  socket_ = dir_.File("containerd.sock");
  hosts_dir_ = dir_.File("certs.d");
  std::filesystem::create_directories(hosts_dir_);
  // Only what a pull needs: no CRI, no metrics or debug listeners.
  std::string config = "version = 2\nroot = \"" + dir_.File("root") + "\"\nstate = \"" + dir_.File("state") +
                       "\"\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n[grpc]\n  address = \"" + socket_ +
                       "\"\n[ttrpc]\n  address = \"" + socket_ + ".ttrpc\"\n[debug]\n  address = \"\"\n[metrics]\n"
                       "  address = \"\"\n";
  dir_.Write("config.toml", config);
  process_ = std::make_unique<Process>(std::vector<std::string>{"containerd", "--config", dir_.File("config.toml")},
                                       dir_.path());
  if (!process_->WaitForStderr("containerd successfully booted", std::chrono::seconds(20))) {
    throw std::runtime_error("containerd did not start: " + process_->Stderr());
  }
}

Containerd::~Containerd() {
  if (process_) {
    process_->Signal(SIGTERM);
    process_->Wait(std::chrono::seconds(10));
  }
}

void Containerd::AddHost(const std::string& host, const std::string& ca, bool plain_http) {
  std::string server = (plain_http ? "http://" : "https://") + host;
  std::string toml = "server = \"" + server + "\"\n\n[host.\"" + server + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n";
  if (!plain_http) toml += "  ca = \"" + ca + "\"\n";
  SetHostsToml(host, toml);
}

void Containerd::SetHostsToml(const std::string& host, const std::string& toml) {
  std::filesystem::create_directories(hosts_dir_ + "/" + host);
  std::ofstream(hosts_dir_ + "/" + host + "/hosts.toml") << toml;
}

PullOutcome Containerd::Pull(const std::string& image, const std::string& platform, const std::string& user,
                             std::chrono::seconds timeout) {
  std::vector<std::string> args{"ctr", "--address", socket_, "--timeout", std::to_string(timeout.count()) + "s",
                                "images", "pull", "--hosts-dir", hosts_dir_, "--platform", platform,
                                "--snapshotter", "native"};
  if (!user.empty()) {
    args.push_back("--user");
    args.push_back(user);
  }
  args.push_back(image);
  RunResult r = Run(args, "", timeout + std::chrono::seconds(5));
  PullOutcome out;
  out.pulled = r.exit_code == 0;
  out.output = r.err.empty() ? r.out : r.err;
  if (out.output.size() > 400) out.output = out.output.substr(out.output.size() - 400);
  if (!out.pulled) return out;
  // REF TYPE DIGEST SIZE PLATFORMS LABELS
  RunResult ls = Run({"ctr", "--address", socket_, "images", "ls"});
  std::istringstream lines(ls.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string ref, type, digest, size, unit, platforms;
    fields >> ref >> type >> digest >> size >> unit >> platforms;
    if (ref != image) continue;
    std::istringstream list(platforms);
    std::string p;
    while (std::getline(list, p, ',')) out.platforms.push_back(p);
  }
  // Forget it, so the next pull of the same name asks the registry again.
  Run({"ctr", "--address", socket_, "images", "rm", "--sync", image});
  return out;
}

}  // namespace pullguard::testing

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "common/file_watch.h"
#include "policy/policy_yaml.h"
#include "registry/hosts_toml.h"

namespace pullguard::cli {

namespace {
constexpr const char* kPolicyHelp = R"(Usage: pullguard policy validate FILE

Checks a policy file and reports every problem with its line and column, and every
hosts.toml under its hostsDir (when that folder exists here).
Exit status: 0 valid, 2 invalid or unreadable.
)";

// Every REGISTRY/hosts.toml under `dir`, parsed as the webhook will: the problems, one a line.
std::vector<std::string> HostsDirProblems(const std::string& dir) {
  std::vector<std::string> problems;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string file = it->path().string() + "/hosts.toml";
    std::error_code file_ec;
    if (!std::filesystem::is_regular_file(file, file_ec)) continue;
    auto text = ReadFile(file, 1 << 20);
    auto hosts = text.ok() ? registry::ParseHostsToml(*text, it->path().string())
                           : Result<std::vector<registry::HostsTomlHost>>(text.status());
    if (!hosts.ok()) problems.push_back(file + ": " + hosts.status().message());
  }
  if (ec) problems.push_back(dir + ": " + ec.message());
  return problems;
}
}  // namespace

int RunPolicy(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kPolicyHelp;
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] != "validate") {
    std::cerr << "pullguard policy: unknown subcommand \"" << args[0] << "\" (use validate)\n";
    return kExitUsage;
  }
  if (args.size() == 2 && (args[1] == "--help" || args[1] == "-h")) {
    std::cout << kPolicyHelp;
    return kExitOk;
  }
  if (args.size() != 2) {
    std::cerr << "pullguard policy validate: needs exactly one FILE\n";
    return kExitUsage;
  }
  auto policy = policy::LoadPolicyFile(args[1]);
  if (!policy.ok()) {
    std::cerr << policy.status().message() << "\n";
    return kExitUsage;
  }
  if (!policy->hosts_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(policy->hosts_dir, ec)) {
      std::cout << args[1] << ": hostsDir " << policy->hosts_dir << " is not here (not checked; fine where it is mounted)\n";
    } else {
      auto problems = HostsDirProblems(policy->hosts_dir);
      for (const auto& p : problems) std::cerr << p << "\n";
      if (!problems.empty()) return kExitUsage;
    }
  }
  std::cout << args[1] << ": valid\n";
  return kExitOk;
}

}  // namespace pullguard::cli

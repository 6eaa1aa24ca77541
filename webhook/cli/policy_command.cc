#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "common/file_watch.h"
#include "policy/policy_yaml.h"
#include "registry/hosts_toml.h"

namespace pullguard::cli {

namespace {
constexpr const char* kPolicyHelp = R"(Usage: pullguard policy validate FILE

Checks a policy file and reports every problem with its line and column, and every
hosts.toml under its hostsDir (when that folder exists here). An empty file (nothing but
comments) is refused: serve and check would run the built-in policy with it, which is what
leaving --policy out does; an empty file is more often a ConfigMap key or a copy gone wrong.
Exit status: 0 valid, 2 invalid, empty or unreadable.
)";

// Nothing but blank lines, comments and document markers: what ParsePolicy takes as the
// built-in policy.
bool IsEmptyPolicy(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string line = text.substr(start, end - start);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos) {
      std::string content = line.substr(first);  // as ParsePolicy reads it
      if (content[0] != '#' && content != "---" && content != "...") return false;
    }
    start = end + 1;
  }
  return true;
}

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
  auto text = ReadFile(args[1], 1 << 20);
  if (!text.ok()) {
    std::cerr << text.status().message() << "\n";
    return kExitUsage;
  }
  if (IsEmptyPolicy(text.value())) {
    std::cerr << args[1] << ": empty: no setting in it (only comments, or nothing). serve and check would run the "
              << "built-in policy (policies/default.yaml) with it, as without --policy; write the settings you want, "
              << "or leave --policy out\n";
    return kExitUsage;
  }
  auto policy = policy::ParsePolicy(text.value(), args[1]);
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

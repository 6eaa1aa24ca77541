#include <iostream>

#include "cli/commands.h"
#include "policy/policy_yaml.h"

namespace pullguard::cli {

namespace {
constexpr const char* kPolicyHelp = R"(Usage: pullguard policy validate FILE

Checks a policy file and reports every problem with its line and column.
Exit status: 0 valid, 2 invalid or unreadable.
)";
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
  std::cout << args[1] << ": valid\n";
  return kExitOk;
}

}  // namespace pullguard::cli

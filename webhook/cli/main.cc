// pullguard: predicts ErrImagePull at admission time. main only dispatches.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

constexpr const char* kUsage = R"(Usage: pullguard COMMAND [FLAGS]

Commands:
  serve             run the validating admission webhook (HTTPS)
  check             check manifest files, as the webhook would (for CI)
  policy validate   check a policy file
  version           print the version

Run "pullguard COMMAND --help" for a command's flags.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? pullguard::cli::kExitUsage : pullguard::cli::kExitOk;
  }
  std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "serve") return pullguard::cli::RunServe(rest);
  if (command == "check") return pullguard::cli::RunCheck(rest);
  if (command == "policy") return pullguard::cli::RunPolicy(rest);
  if (command == "version" || command == "--version") return pullguard::cli::RunVersion(rest);
  std::cerr << "pullguard: unknown command \"" << command << "\"\n\n" << kUsage;
  return pullguard::cli::kExitUsage;
}

// pullguard: predicts ErrImagePull at admission time. main only dispatches.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"

namespace {

constexpr const char* kUsage = R"(Usage: pullguard COMMAND [FLAGS]

Commands:
  serve             run the validating admission webhook (HTTPS)
  check             check manifest files, as the webhook would (for CI)
  diagnose          tell why a pod is stuck in ErrImagePull or ImagePullBackOff
  audit             re-check the images of every running workload (--once: a report)
  policy validate   check a policy file
  version           print the version

Run "pullguard COMMAND --help" for a command's flags.
Installed on PATH as kubectl-pullguard, it is also the kubectl plugin: kubectl pullguard COMMAND.
)";

}  // namespace

int main(int argc, char** argv) {
  // As the kubectl plugin kubectl-pullguard (a symlink or copy on PATH), kubectl execs it with
  // the words after "kubectl pullguard": argv[1] is the subcommand, as for pullguard itself.
  std::string_view self = argc > 0 ? argv[0] : "";
  const bool plugin = self.substr(self.find_last_of('/') + 1) == "kubectl-pullguard";  // npos + 1 == 0
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? pullguard::cli::kExitUsage : pullguard::cli::kExitOk;
  }
  std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "serve") return pullguard::cli::RunServe(rest);
  if (command == "check") return pullguard::cli::RunCheck(rest);
  if (command == "diagnose") return pullguard::cli::RunDiagnose(rest);
  if (command == "audit") return pullguard::cli::RunAudit(rest);
  if (command == "policy") return pullguard::cli::RunPolicy(rest);
  if (command == "version" || command == "--version") return pullguard::cli::RunVersion(rest);
  std::cerr << (plugin ? "kubectl pullguard" : "pullguard") << ": unknown command \"" << command << "\"\n\n" << kUsage;
  return pullguard::cli::kExitUsage;
}

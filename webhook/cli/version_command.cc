#include <iostream>

#include "cli/commands.h"
#include "cli/version.h"

namespace pullguard::cli {

int RunVersion(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: pullguard version\n\nPrints the version of pullguard.\n";
    return kExitOk;
  }
  if (!args.empty()) {
    std::cerr << "pullguard version: takes no arguments\n";
    return kExitUsage;
  }
  std::cout << "pullguard " << kVersion << "\n";
  return kExitOk;
}

}  // namespace pullguard::cli

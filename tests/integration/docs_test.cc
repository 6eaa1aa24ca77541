// Every pullguard command the documentation shows is run: the lines of ```sh blocks (and the
// `run:` / `- ` steps of its CI recipes) that start with `pullguard` or `kubectl kustomize`,
// from the repository's root, with this build's binary first on PATH. They must run to an
// answer (exit 0 or 1), never a usage error or a crash. Registry checks stay off the network:
// a recipe without --offline gets it here.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/process.h"
#include "support/temp_dir.h"

namespace pullguard::testing {
namespace {

namespace fs = std::filesystem;

struct Command {
  std::string file;
  int line;
  std::string text;
};

std::vector<Command> CommandsIn(const std::string& path) {
  std::vector<Command> out;
  std::ifstream in(path);
  std::string line, block;
  bool in_block = false;
  int n = 0;
  std::regex step(R"(^\s*(?:- )?(?:run: )?(?:- )?((?:pullguard|kubectl kustomize) .*)$)");
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("```", 0) == 0) {
      block = in_block ? "" : line.substr(3);
      in_block = !in_block;
      continue;
    }
    if (!in_block || (block != "sh" && block != "yaml")) continue;
    std::smatch m;
    if (std::regex_match(line, m, step)) out.push_back({path, n, m[1]});
  }
  return out;
}

TEST_CASE("every pullguard command in the docs runs", "[integration][docs]") {
  const std::string root = PULLGUARD_SOURCE_DIR;
  std::vector<Command> commands;
  for (const char* doc : {"README.md", "docs/ci.md", "docs/reasons.md", "policies/README.md"}) {
    auto found = CommandsIn(root + "/" + doc);
    commands.insert(commands.end(), found.begin(), found.end());
  }
  REQUIRE(commands.size() >= 10);
  std::string bin = fs::path(PULLGUARD_BINARY).parent_path().string();
  for (const auto& c : commands) {
    std::string text = c.text;
    // Output redirections write into the working tree: send them to a scratch file instead.
    text = std::regex_replace(text, std::regex(R"(\s*>\s*\S+)"), " > /dev/null");
    if (text.find("pullguard check") != std::string::npos && text.find("--offline") == std::string::npos) {
      text = std::regex_replace(text, std::regex("pullguard check"), "pullguard check --offline");
    }
    INFO(c.file << ":" << c.line << ": " << text);
    RunResult r = Run({"sh", "-c", "cd " + root + " && export PATH=" + bin + ":$PATH && " + text}, "", std::chrono::seconds(60));
    INFO(r.out.substr(0, 2000) << r.err.substr(0, 2000));
    CHECK((r.exit_code == 0 || r.exit_code == 1));
    CHECK(r.err.find("unknown flag") == std::string::npos);
  }
}

}  // namespace
}  // namespace pullguard::testing

// The subcommands. Each takes its arguments (after the subcommand name) and returns the
// process exit code; main.cc only dispatches.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pullguard::cli {

// Exit codes of `pullguard check` (and usage errors everywhere).
inline constexpr int kExitOk = 0;
inline constexpr int kExitDenied = 1;
inline constexpr int kExitUsage = 2;

// "pullguard COMMAND: MESSAGE" on stderr, the log flushed first; returns `code`.
int Fail(std::string_view command, const std::string& message, int code = kExitUsage);

int RunServe(const std::vector<std::string>& args);
int RunCheck(const std::vector<std::string>& args);
int RunDiagnose(const std::vector<std::string>& args);
int RunAudit(const std::vector<std::string>& args);
int RunPolicy(const std::vector<std::string>& args);
int RunVersion(const std::vector<std::string>& args);

}  // namespace pullguard::cli

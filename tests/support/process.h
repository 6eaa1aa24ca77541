// Process: runs a real program (the pullguard binary, openssl, the cert script) for
// integration tests, with its stdout and stderr in files. Every wait is bounded, and children
// die with the test (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pullguard::testing {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  std::string out;
  std::string err;
  long max_rss_kb = 0;  // the peak memory the program used
};

// Runs to completion (killed after `timeout`), feeding `stdin_text`.
RunResult Run(const std::vector<std::string>& argv, const std::string& stdin_text = "",
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

class Process {
 public:
  // Starts argv[0] with its output going to files in `log_dir`.
  Process(const std::vector<std::string>& argv, const std::string& log_dir);
  ~Process();  // SIGKILLs the process if it still runs
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  std::string Stderr() const;
  // Waits until stderr contains `needle`; false after `timeout` or if the process exits.
  bool WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Sends a signal.
  void Signal(int sig) const;
  // Waits for exit; the exit code, or nullopt after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string stderr_path_;
};

}  // namespace pullguard::testing

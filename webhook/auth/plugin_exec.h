// RunPlugin: runs one credential provider plugin the way the kubelet's execPlugin does (a
// program, its args, the process environment with the configured variables on top, the
// request on stdin), bounded in time and output. No shell is involved.
//
// The child runs in its own process group with every descriptor but 0, 1 and 2 closed, an
// empty signal mask and default signal dispositions. On the deadline, or when it writes more
// than the limit, the whole group gets SIGKILL and the child is reaped: no zombie is left.
//
// SIGPIPE: a plugin may exit without reading its stdin. RunPlugin changes no process-wide
// signal disposition; it blocks SIGPIPE in the calling thread around each write(2) to the
// child's stdin, takes back a SIGPIPE that write raised (sigtimedwait), and treats EPIPE as
// "the child is done reading". This works whether or not the process ignores SIGPIPE.
//
// The result carries the plugin's stdout (credentials): callers must never log it, nor the
// stderr head, which is kept for debugging by hand only.
// Thread-safety: RunPlugin may be called from many threads at once. It reaps only its own
// child (waitpid on its pid); a process that sets SIGCHLD to SIG_IGN, or reaps with
// waitpid(-1), breaks it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pullguard::auth {

struct PluginLimits {
  std::chrono::steady_clock::time_point deadline;
  size_t max_output_bytes = 1 << 20;  // stdout
};

enum class PluginRunKind {
  kOk,              // exited with status 0
  kNotFound,        // no such file
  kNotExecutable,   // not executable (permissions, not a program)
  kExitNonZero,     // exited with another status (exit_code)
  kSignaled,        // killed by a signal not ours (signal)
  kTimedOut,        // still running at the deadline: killed
  kOutputTooLarge,  // wrote more than max_output_bytes to stdout: killed
  kStartFailed,     // pipes, spawn: errno in start_errno
};

struct PluginRun {
  PluginRunKind kind = PluginRunKind::kStartFailed;
  int exit_code = -1;   // kOk, kExitNonZero
  int signal = 0;       // kSignaled
  int start_errno = 0;  // kNotFound, kNotExecutable, kStartFailed
  std::string stdout_bytes;
  std::string stderr_head;  // the first 512 bytes of stderr
  std::chrono::steady_clock::duration elapsed{0};
};

inline constexpr size_t kPluginStderrHeadBytes = 512;

// Runs `path` (no PATH search) with argv = {path, args...}; the environment is this process's,
// with each `extra_env` variable replacing one of the same name (the last one given wins).
PluginRun RunPlugin(const std::string& path, const std::vector<std::string>& args,
                    const std::vector<std::pair<std::string, std::string>>& extra_env, std::string_view stdin_bytes,
                    const PluginLimits& limits);

// "exited with status 1", "killed by signal 9", "timed out after 2.0s", ...: no output.
std::string DescribePluginRun(const PluginRun& run, const std::string& path, const PluginLimits& limits);

}  // namespace pullguard::auth

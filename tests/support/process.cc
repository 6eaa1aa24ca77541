#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "support/temp_dir.h"

namespace pullguard::testing {
namespace {

pid_t Spawn(const std::vector<std::string>& argv, int in_fd, const std::string& out_path, const std::string& err_path) {
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Tied to the test: if the test process dies (a crash, a timeout's SIGKILL), so does this
    // child, instead of a `pullguard serve` or a registry running on.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in_fd >= 0) ::dup2(in_fd, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    // Nothing else of the test's goes along: its sockets would keep connections open, and
    // some programs (wrk) cannot use descriptors numbered above what they expect.
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
      for (int fd = 3; fd < 65536; ++fd) ::close(fd);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

std::optional<int> WaitPid(pid_t pid, std::chrono::milliseconds timeout, long* max_rss_kb = nullptr) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    rusage usage{};
    pid_t r = ::wait4(pid, &status, WNOHANG, &usage);
    if (r == pid) {
      if (max_rss_kb) *max_rss_kb = usage.ru_maxrss;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

}  // namespace

RunResult Run(const std::vector<std::string>& argv, const std::string& stdin_text, std::chrono::milliseconds timeout) {
  TempDir dir;
  std::string in_path = dir.Write("stdin", stdin_text);
  int in_fd = ::open(in_path.c_str(), O_RDONLY);
  pid_t pid = Spawn(argv, in_fd, dir.File("stdout"), dir.File("stderr"));
  ::close(in_fd);
  RunResult result;
  auto code = WaitPid(pid, timeout, &result.max_rss_kb);
  if (!code) {
    ::kill(pid, SIGKILL);
    WaitPid(pid, std::chrono::seconds(5));
  }
  result.exit_code = code.value_or(-1);
  result.out = ReadAll(dir.File("stdout"));
  result.err = ReadAll(dir.File("stderr"));
  return result;
}

Process::Process(const std::vector<std::string>& argv, const std::string& log_dir)
    : stderr_path_(log_dir + "/process.stderr") {
  pid_ = Spawn(argv, -1, log_dir + "/process.stdout", stderr_path_);
}

Process::~Process() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    WaitPid(pid_, std::chrono::seconds(5));
  }
}

std::string Process::Stderr() const { return ReadAll(stderr_path_); }

bool Process::WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Stderr().find(needle) != std::string::npos) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) return Stderr().find(needle) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void Process::Signal(int sig) const { ::kill(pid_, sig); }

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  auto code = WaitPid(pid_, timeout);
  if (code) exited_ = true;
  return code;
}

}  // namespace pullguard::testing

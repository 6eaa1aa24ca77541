#include "auth/plugin_exec.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <map>
#include <system_error>

extern char** environ;  // NOLINT: POSIX

namespace pullguard::auth {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kWriteChunk = 64 * 1024;
constexpr size_t kReadChunk = 16 * 1024;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A close-on-exec pipe whose ends are numbered 3 or above, so that dup2 onto 0, 1 and 2 in the
// child never overwrites another end (a process started with 0, 1 or 2 closed would get them).
bool MakePipe(Fd* read_end, Fd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  for (int& fd : fds) {
    if (fd > 2) continue;
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    fd = moved;
  }
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  return read_end->open() && write_end->open();
}

bool SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

// write(2) with SIGPIPE blocked in this thread; a SIGPIPE this write raised is taken back, so
// neither the thread nor the process sees it. errno is write's.
ssize_t WriteWithoutSigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigemptyset(&pending);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  sigpending(&pending);
  bool already_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t written = ::write(fd, data, size);
  int saved = errno;
  if (written < 0 && saved == EPIPE && !already_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = saved;
  return written;
}

std::vector<std::string> MergedEnvironment(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::map<std::string, std::string> last;  // the last value given for each name
  for (const auto& [name, value] : extra) last[name] = value;
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string name(entry.substr(0, entry.find('=')));
    if (last.count(name) == 0) env.emplace_back(entry);
  }
  for (const auto& variable : extra) {
    auto it = last.find(variable.first);
    if (it == last.end()) continue;  // already added
    env.push_back(variable.first + "=" + it->second);
    last.erase(it);
  }
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// In the child, between fork and exec: async-signal-safe calls only.
[[noreturn]] void ExecChild(const char* path, char* const* argv, char* const* envp, int in_fd, int out_fd, int err_fd,
                            int status_fd, long max_fd) {
  ::setpgid(0, 0);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::dup2(in_fd, 0);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  // Everything else closes, but the status pipe, which is close-on-exec.
  bool closed = status_fd <= 3 || ::syscall(SYS_close_range, 3U, static_cast<unsigned>(status_fd - 1), 0U) == 0;
  closed = closed && ::syscall(SYS_close_range, static_cast<unsigned>(status_fd + 1), ~0U, 0U) == 0;
  if (!closed) {
    for (long fd = 3; fd < max_fd; ++fd) {
      if (fd != status_fd) ::close(static_cast<int>(fd));
    }
  }
  ::execve(path, argv, envp);
  int error = errno;
  ssize_t ignored = ::write(status_fd, &error, sizeof error);
  (void)ignored;
  ::_exit(127);
}

void KillGroup(pid_t pid) {
  if (::kill(-pid, SIGKILL) != 0) ::kill(pid, SIGKILL);
}

bool Reap(pid_t pid, int* status) {
  while (true) {
    pid_t r = ::waitpid(pid, status, 0);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

PluginRunKind StartErrorKind(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return PluginRunKind::kNotFound;
    case EACCES:
    case EPERM:
    case ENOEXEC:
    case EISDIR:
      return PluginRunKind::kNotExecutable;
    default:
      return PluginRunKind::kStartFailed;
  }
}

int PollTimeoutMs(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1000));
}

}  // namespace

PluginRun RunPlugin(const std::string& path, const std::vector<std::string>& args,
                    const std::vector<std::pair<std::string, std::string>>& extra_env, std::string_view stdin_bytes,
                    const PluginLimits& limits) {
  const Clock::time_point start = Clock::now();
  PluginRun run;
  auto fail_start = [&](int error) {
    run.kind = StartErrorKind(error);
    run.start_errno = error;
    run.elapsed = Clock::now() - start;
    return run;
  };
  if (start >= limits.deadline) {
    run.kind = PluginRunKind::kTimedOut;
    return run;
  }

  // Everything the child needs is built before fork: it may not allocate.
  std::vector<std::string> argv_strings;
  argv_strings.reserve(args.size() + 1);
  argv_strings.push_back(path);
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = MergedEnvironment(extra_env);
  std::vector<char*> argv = Pointers(argv_strings);
  std::vector<char*> envp = Pointers(env_strings);
  long max_fd = ::sysconf(_SC_OPEN_MAX);
  if (max_fd < 0 || max_fd > (1L << 20)) max_fd = 1L << 20;

  Fd in_r, in_w, out_r, out_w, err_r, err_w, status_r, status_w;
  if (!MakePipe(&in_r, &in_w) || !MakePipe(&out_r, &out_w) || !MakePipe(&err_r, &err_w) ||
      !MakePipe(&status_r, &status_w)) {
    return fail_start(errno);
  }
  if (!SetNonBlocking(in_w.get()) || !SetNonBlocking(out_r.get()) || !SetNonBlocking(err_r.get())) {
    return fail_start(errno);
  }

  pid_t pid = ::fork();
  if (pid < 0) return fail_start(errno);
  if (pid == 0) {
    ExecChild(path.c_str(), argv.data(), envp.data(), in_r.get(), out_w.get(), err_w.get(), status_w.get(), max_fd);
  }
  ::setpgid(pid, pid);  // also here, so that killing the group works before the child ran
  in_r.Close();
  out_w.Close();
  err_w.Close();
  status_w.Close();

  // The status pipe closes at exec; before that, an exec failure writes its errno.
  int exec_error = 0;
  ssize_t got;
  do {
    got = ::read(status_r.get(), &exec_error, sizeof exec_error);
  } while (got < 0 && errno == EINTR);
  status_r.Close();
  if (got == static_cast<ssize_t>(sizeof exec_error)) {
    int status = 0;
    Reap(pid, &status);
    return fail_start(exec_error);
  }

  bool timed_out = false, too_large = false;
  size_t written = 0;
  if (stdin_bytes.empty()) in_w.Close();
  char buffer[kReadChunk];
  int poll_error = 0;
  while (out_r.open() || err_r.open()) {
    if (Clock::now() >= limits.deadline) {
      timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t count = 0;
    int in_index = -1, out_index = -1, err_index = -1;
    if (in_w.open()) {
      in_index = static_cast<int>(count);
      fds[count++] = pollfd{in_w.get(), POLLOUT, 0};
    }
    if (out_r.open()) {
      out_index = static_cast<int>(count);
      fds[count++] = pollfd{out_r.get(), POLLIN, 0};
    }
    if (err_r.open()) {
      err_index = static_cast<int>(count);
      fds[count++] = pollfd{err_r.get(), POLLIN, 0};
    }
    int ready = ::poll(fds, count, PollTimeoutMs(limits.deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      poll_error = errno;
      break;
    }
    if (ready == 0) continue;  // a timeout: the deadline check above decides
    if (in_index >= 0 && fds[in_index].revents != 0) {
      size_t n = std::min(kWriteChunk, stdin_bytes.size() - written);
      ssize_t w = WriteWithoutSigpipe(in_w.get(), stdin_bytes.data() + written, n);
      if (w > 0) written += static_cast<size_t>(w);
      // Done, or the child stopped reading (EPIPE): either way, no more input.
      if (written == stdin_bytes.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) in_w.Close();
    }
    if (out_index >= 0 && fds[out_index].revents != 0) {
      ssize_t n = ::read(out_r.get(), buffer, sizeof buffer);
      if (n > 0) {
        run.stdout_bytes.append(buffer, static_cast<size_t>(n));
        if (run.stdout_bytes.size() > limits.max_output_bytes) {
          too_large = true;
          break;
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        out_r.Close();
      }
    }
    if (err_index >= 0 && fds[err_index].revents != 0) {
      ssize_t n = ::read(err_r.get(), buffer, sizeof buffer);
      if (n > 0) {
        size_t room = kPluginStderrHeadBytes - std::min(kPluginStderrHeadBytes, run.stderr_head.size());
        run.stderr_head.append(buffer, std::min(room, static_cast<size_t>(n)));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        err_r.Close();
      }
    }
  }
  in_w.Close();

  // Its output is closed; it may still be running. Wait for it up to the deadline.
  int status = 0;
  bool reaped = false;
  if (!timed_out && !too_large && poll_error == 0) {
    int nap_ms = 1;
    while (true) {
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        reaped = true;
        break;
      }
      if (r < 0 && errno != EINTR) break;  // not ours to reap any more
      if (Clock::now() >= limits.deadline) {
        timed_out = true;
        break;
      }
      ::poll(nullptr, 0, std::min(nap_ms, std::max(1, PollTimeoutMs(limits.deadline))));
      nap_ms = std::min(nap_ms * 2, 20);
    }
  }
  if (!reaped) {
    KillGroup(pid);
    reaped = Reap(pid, &status);
  }
  out_r.Close();
  err_r.Close();
  run.elapsed = Clock::now() - start;

  if (too_large) {
    run.kind = PluginRunKind::kOutputTooLarge;
  } else if (timed_out) {
    run.kind = PluginRunKind::kTimedOut;
  } else if (poll_error != 0 || !reaped) {
    run.kind = PluginRunKind::kStartFailed;
    run.start_errno = poll_error != 0 ? poll_error : ECHILD;
  } else if (WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
    run.kind = run.exit_code == 0 ? PluginRunKind::kOk : PluginRunKind::kExitNonZero;
  } else if (WIFSIGNALED(status)) {
    run.signal = WTERMSIG(status);
    run.kind = PluginRunKind::kSignaled;
  } else {
    run.kind = PluginRunKind::kStartFailed;
  }
  // Whatever a failed run printed may hold credentials, and nobody may use it.
  if (run.kind != PluginRunKind::kOk) std::string().swap(run.stdout_bytes);
  return run;
}

std::string DescribePluginRun(const PluginRun& run, const std::string& path, const PluginLimits& limits) {
  auto error_text = [](int error) { return std::error_code(error, std::generic_category()).message(); };
  switch (run.kind) {
    case PluginRunKind::kOk:
      return "exited with status 0";
    case PluginRunKind::kNotFound:
      // execve says ENOENT for a file that exists when its #! interpreter or its dynamic loader
      // does not: the plugin was built for the node, not for pullguard's image.
      if (struct stat st{}; ::stat(path.c_str(), &st) == 0) {
        return path + " is there but does not start: its interpreter or dynamic loader is missing from "
                      "pullguard's image (use a statically linked plugin)";
      }
      return "no executable at " + path;
    case PluginRunKind::kNotExecutable:
      return path + " is not executable (" + error_text(run.start_errno) + ")";
    case PluginRunKind::kExitNonZero:
      return "exited with status " + std::to_string(run.exit_code);
    case PluginRunKind::kSignaled:
      return "killed by signal " + std::to_string(run.signal);
    case PluginRunKind::kTimedOut: {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1fs", std::chrono::duration<double>(run.elapsed).count());
      return std::string("timed out after ") + seconds;
    }
    case PluginRunKind::kOutputTooLarge:
      return "wrote more than " + std::to_string(limits.max_output_bytes) + " bytes to stdout";
    case PluginRunKind::kStartFailed:
      return "could not start " + path + ": " + error_text(run.start_errno);
  }
  return "failed";
}

}  // namespace pullguard::auth

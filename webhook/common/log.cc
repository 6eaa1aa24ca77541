#include "common/log.h"

#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

namespace pullguard {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Buffers lines and writes them to stderr from one thread, in batches. The buffer is bounded:
// with stderr a pipe nobody reads, lines past it are dropped and counted (a line says how many
// once there is room again), and no write ever blocks for long: each waits for room with
// poll(2), at most a moment, so neither a request nor the process's exit hangs on logging.
class LogWriter {
 public:
  static LogWriter& Get() {
    static LogWriter* writer = [] {
      auto* w = new LogWriter();  // never destroyed: lines may come until the very end
      std::atexit([] { FlushLog(); });
      return w;
    }();
    return *writer;
  }

  void Append(const std::string& line) {
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (buffer_.size() + line.size() + 1 > kMaxBuffered) {
        ++dropped_;
        return;
      }
      if (dropped_ > 0) {
        buffer_ += "{\"ts\":\"" + LogTimestamp() + "\",\"level\":\"warn\",\"msg\":\"log lines dropped\",\"count\":" +
                   std::to_string(dropped_) + "}\n";
        dropped_ = 0;
      }
      buffer_ += line;
      buffer_ += '\n';
      wake = buffer_.size() >= kFlushBytes;
    }
    if (wake) cv_.notify_one();
  }

  // Writes what is buffered, waiting for room at most `patience`; what does not fit by then is
  // kept for the next flush (within the bound) or dropped.
  void Flush(std::chrono::milliseconds patience) {
    // Another flush may be stuck on a full pipe: wait for it at most `patience`. A plain mutex
    // tried in steps, not std::timed_mutex: its try_lock_for is pthread_mutex_clocklock, which
    // ThreadSanitizer (g++ 12) does not intercept, and then reports every unlock as wrong.
    std::unique_lock<std::mutex> write_lock(write_mutex_, std::try_to_lock);
    for (auto give_up = std::chrono::steady_clock::now() + patience;
         !write_lock.owns_lock() && std::chrono::steady_clock::now() < give_up;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      write_lock.try_lock();
    }
    if (!write_lock.owns_lock()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_ += buffer_;
      buffer_.clear();
    }
    auto deadline = std::chrono::steady_clock::now() + patience;
    size_t written = 0;
    while (written < pending_.size()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{STDERR_FILENO, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count()))) <= 0) break;
      // At most PIPE_BUF at a time: a pipe that polls writable takes that much without blocking.
      ssize_t n = ::write(STDERR_FILENO, pending_.data() + written, std::min<size_t>(PIPE_BUF, pending_.size() - written));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    pending_.erase(0, written);
    if (pending_.size() > kMaxBuffered) {
      std::lock_guard<std::mutex> lock(mutex_);
      dropped_ += static_cast<size_t>(std::count(pending_.begin() + kMaxBuffered, pending_.end(), '\n'));
      pending_.resize(kMaxBuffered);
    }
  }

 private:
  static constexpr size_t kFlushBytes = 32 * 1024;
  static constexpr size_t kMaxBuffered = 1 << 20;

  LogWriter() {
    std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex_);
      while (true) {
        cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return buffer_.size() >= kFlushBytes; });
        lock.unlock();
        Flush(std::chrono::milliseconds(100));
        lock.lock();
      }
    }).detach();
  }

  std::mutex mutex_;              // guards buffer_ and dropped_
  std::mutex write_mutex_;  // keeps batches in order; guards pending_
  std::condition_variable cv_;
  std::string buffer_;
  std::string pending_;  // taken from buffer_, not written yet
  size_t dropped_ = 0;
};

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }
bool LogEnabled(LogLevel level) { return level >= g_level.load(); }

std::string LogTimestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buf;
}

std::string JsonQuote(std::string_view s) {
  // Fast path for the common case (uids, names, namespaces): printable ASCII that needs no
  // escaping. Anything else goes through nlohmann, which escapes and replaces invalid UTF-8.
  bool plain = true;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return out;
  }
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void LogRaw(std::string line) { LogWriter::Get().Append(line); }

void FlushLog() { LogWriter::Get().Flush(std::chrono::milliseconds(200)); }

void Log(LogLevel level, std::string_view msg, const nlohmann::json& fields) {
  if (!LogEnabled(level)) return;
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = LogTimestamp();
  line["level"] = LevelName(level);
  line["msg"] = std::string(msg);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) line[key] = value;
  }
  // Replace invalid UTF-8 instead of throwing: log input may come from hostile requests.
  LogWriter::Get().Append(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  // Errors and warnings are wanted at once (a crash right after must not eat them), but never
  // at the cost of waiting for a pipe nobody reads: what does not fit now goes later.
  if (level >= LogLevel::kWarn) LogWriter::Get().Flush(std::chrono::milliseconds(0));
}

}  // namespace pullguard

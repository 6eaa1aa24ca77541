#include "common/log.h"

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

// Buffers lines and writes them to stderr from one thread, in batches.
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
      buffer_ += line;
      buffer_ += '\n';
      wake = buffer_.size() >= kFlushBytes;
    }
    if (wake) cv_.notify_one();
  }

  void Flush() {
    std::lock_guard<std::mutex> write_lock(write_mutex_);
    std::string batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(buffer_);
    }
    if (batch.empty()) return;
    std::fwrite(batch.data(), 1, batch.size(), stderr);
    std::fflush(stderr);
  }

 private:
  static constexpr size_t kFlushBytes = 32 * 1024;

  LogWriter() {
    std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex_);
      while (true) {
        cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return buffer_.size() >= kFlushBytes; });
        lock.unlock();
        Flush();
        lock.lock();
      }
    }).detach();
  }

  std::mutex mutex_;        // guards buffer_
  std::mutex write_mutex_;  // keeps batches in order
  std::condition_variable cv_;
  std::string buffer_;
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

void FlushLog() { LogWriter::Get().Flush(); }

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
  // Errors and warnings are rare and wanted at once (a crash right after must not eat them).
  if (level >= LogLevel::kWarn) FlushLog();
}

}  // namespace pullguard

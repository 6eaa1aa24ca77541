// Structured logging: one JSON object per line on stderr. Callers pass fields, never secrets.
// Thread-safety: Log() may be called from any thread; lines never interleave.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace pullguard {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Writes {"ts": ..., "level": ..., "msg": msg, ...fields} as one line.
void Log(LogLevel level, std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());

// Lines below this level are dropped (default kInfo).
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// Writes an already formatted JSON object (no newline) as one line. For the hot path, where
// building an nlohmann::json per request costs more than the request.
void LogRaw(std::string line);

// Lines are buffered and written by a background thread at least every 100 ms, so a request
// never waits for a write(2). Flushes what is buffered now (call before exiting).
void FlushLog();

// A JSON string literal for `s`, quotes included (invalid UTF-8 bytes become U+FFFD).
std::string JsonQuote(std::string_view s);
// The log's timestamp format, e.g. 2026-11-22T18:21:40.846Z.
std::string LogTimestamp();

}  // namespace pullguard

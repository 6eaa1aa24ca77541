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

}  // namespace pullguard

#include "common/reloading_value.h"

#include "common/log.h"
#include "common/metrics.h"

namespace pullguard {

void ReportReload(const std::string& what, const std::string& path, const Status& result, uint64_t generation) {
  CountReload(what, result.ok());
  if (!result.ok()) {
    Log(LogLevel::kError, what + " reload failed; the previous one stays in force",
        {{"path", path}, {"error", result.message()}});
    return;
  }
  Log(LogLevel::kInfo, what + " reloaded", {{"path", path}, {"generation", static_cast<long long>(generation)}});
}

}  // namespace pullguard

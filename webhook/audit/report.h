// `pullguard audit --once`'s report of a cycle, as text (what is unavailable first, with the
// engine's words and fixes) or JSON (every workload checked, for scripts; "version": 1).
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "audit/cycle.h"

namespace pullguard::audit {

nlohmann::json ReportJson(const CycleReport& report, const std::string& pullguard_version);
void RenderReportText(const CycleReport& report, std::ostream& out);

// --once's exit code: 0 every image available, 1 an image is unavailable, 2 nothing could be
// listed (or the cycle could not run).
int ReportExitCode(const CycleReport& report);

}  // namespace pullguard::audit

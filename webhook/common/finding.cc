#include "common/finding.h"

namespace pullguard {

std::string FormatFinding(const Finding& f) {
  std::string line;
  line.reserve(f.path.size() + f.image.size() + f.detail.size() + f.fix.size() + 32);
  line += f.path;
  line += " \"";
  line += f.image;
  line += "\": ";
  line += ReasonName(f.reason);
  line += ": ";
  line += f.detail;
  if (!f.fix.empty()) {
    line += "; ";
    line += f.fix;
  }
  return line;
}

}  // namespace pullguard

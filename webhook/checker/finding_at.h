// The one way a finding about an image use starts: its field path, the image as written, its
// normalized form, the reason, and the words.
// Thread-safety: pure function.
#pragma once

#include <string>

#include "checker/pod.h"
#include "common/finding.h"

namespace pullguard::checker {

inline Finding FindingAt(const ImageUse& use, std::string normalized, Reason reason, std::string detail = "",
                         std::string fix = "") {
  Finding f;
  f.path = use.path;
  f.image = use.image;
  f.normalized = std::move(normalized);
  f.reason = reason;
  f.detail = std::move(detail);
  f.fix = std::move(fix);
  return f;
}

}  // namespace pullguard::checker

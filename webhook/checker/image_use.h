// ImageUse: one image at one place in an object, the unit the checker works on.
// Thread-safety: value type.
#pragma once

#include <string>

namespace pullguard::checker {

struct ImageUse {
  std::string path;         // field path, e.g. spec.template.spec.containers[0].image
  std::string image;        // as written
  std::string pull_policy;  // the container's imagePullPolicy as written; "" when unset
};

}  // namespace pullguard::checker

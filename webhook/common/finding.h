// Finding: one predicted pull failure (or policy violation) for one image at one field path.
// The webhook, dry runs and `pullguard check` all render findings with FormatFinding, so the
// three callers say the same words.
// Thread-safety: value type.
#pragma once

#include <string>
#include <vector>

#include "common/reason.h"

namespace pullguard {

struct Finding {
  std::string path;        // e.g. spec.template.spec.initContainers[1].image
  std::string image;       // the image exactly as written
  std::string normalized;  // e.g. docker.io/library/nginx:latest; empty when it does not parse
  Reason reason = Reason::kInvalidReference;
  std::string detail;      // what is wrong, e.g. "repository name must be lowercase"
  std::string fix;         // what to do, e.g. `write "team/app:1"`; may be empty
  Action action = Action::kDeny;  // filled in by the policy, unless action_fixed
  // The rule that made the finding chose its action (PolicyViolation rules carry their own
  // action; a guess made without asking the registry only warns); policy::Decide keeps it.
  bool action_fixed = false;
  // The pod may start anyway (its nodes already hold the image): warn at most, never deny.
  bool at_most_warn = false;
};

// One line: `<path> "<image>": <Reason>: <detail>[; <fix>]`.
std::string FormatFinding(const Finding& finding);

}  // namespace pullguard

// The kubelet's credential provider flags, as serve and check take them (the same names):
// --image-credential-provider-config FILE and --image-credential-provider-bin-dir DIR.
// Thread-safety: call before the checker serves.
#pragma once

#include "checker/checker.h"
#include "cli/args.h"
#include "common/status.h"

namespace pullguard::cli {

// Checks the flags (both or neither; the config loads) and hands them to the checker.
Status ApplyCredentialProviderFlags(const Args& args, checker::Checker& checker);

}  // namespace pullguard::cli

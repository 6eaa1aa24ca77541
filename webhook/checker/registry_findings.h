// Registry answers in words: the one place where a ProbeResult (facts: outcome, status,
// registry error codes, challenge error, transport failure) becomes a finding's reason, detail
// and fix, in the kubelet's meaning of each answer.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "checker/pod.h"
#include "common/finding.h"
#include "registry/probe.h"

namespace pullguard::checker {

// The finding for a probe's answer, or nullopt when the image pulls and runs.
std::optional<Finding> RegistryFinding(const ImageUse& use, const std::string& normalized,
                                       const registry::ProbeTarget& target, const registry::ProbeResult& result);

// When a check could not finish in the caller's time (the probe goes on and fills the cache).
Finding TimedOutFinding(const ImageUse& use, const std::string& normalized, const std::string& registry,
                        const std::string& why);

// For a registry host such as "Team" in "Team/worker:1.0": a single label with capitals is
// a host only by the grammar's letter, and almost always a Docker Hub namespace typed with a
// capital. The image as the user most likely meant it ("team/worker:1.0"), or "".
std::string LowercaseHostSuggestion(const std::string& written, const std::string& registry);

}  // namespace pullguard::checker

// Go's time.ParseDuration, the one duration grammar of the Kubernetes world: the API server's
// ?timeout=, containerd's hosts.toml dial_timeout, a credential provider's cacheDuration.
// "300ms", "1.5h", "2h45m", "0"; units ns, us, µs (U+00B5 or U+03BC), ms, s, m, h; an
// optional leading sign. Values past int64 nanoseconds (about 292 years) are refused, as Go does.
// Thread-safety: pure function.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pullguard {

// nullopt when `text` is not a Go duration.
std::optional<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);

}  // namespace pullguard

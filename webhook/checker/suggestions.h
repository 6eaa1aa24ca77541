// Suggestions that fix: what to write instead of a tag or a Docker Hub name that does not
// exist, from what the registry has.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace pullguard::checker {

// The tags nearest to `wanted`, best first, at most `count`: the newest tag of the same
// version line and flavour (1.25.99 -> 1.25.5; 3.2-alpine -> 3.2.1-alpine), then the closest by
// edit distance.
std::vector<std::string> NearestTags(const std::string& wanted, const std::vector<std::string>& tags, size_t count = 2);

// For a Docker Hub official-image name that does not exist ("library/ngnix"), the official
// image it is most likely a typo of ("nginx"), or "".
std::string OfficialImageTypo(const std::string& repository);

// The Levenshtein distance, or limit + 1 once it is known to exceed `limit`.
size_t EditDistance(const std::string& a, const std::string& b, size_t limit);

}  // namespace pullguard::checker

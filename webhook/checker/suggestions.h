// Suggestions that fix: what to write instead of a tag or a Docker Hub name that does not
// exist, from what the registry has, and every "did you mean" of pullguard (a policy's reason
// codes and field names too).
// EditDistance and DidYouMean are defined here, inline: the policy reader (a layer below the
// checker, linked without it) uses them, and there is one "did you mean" for both.
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <cctype>
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
inline size_t EditDistance(const std::string& a, const std::string& b, size_t limit) {
  size_t gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (gap > limit) return limit + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t best = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.size()];
}

// The candidate `word` is most likely a misspelling of, for "did you mean X?": the closest by
// edit distance with case ignored ("RegistryTlsError" -> "RegistryTLSError"), within
// max(2, a third of the word's length) edits; of equally close ones, the first. "" when none is
// that close, or when `word` is itself a candidate.
inline std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string w = lower(word);
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    if (c == word) return "";
    size_t d = EditDistance(w, lower(c), limit);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace pullguard::checker

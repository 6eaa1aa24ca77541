#include <catch2/catch.hpp>

#include "common/glob.h"

namespace pullguard {
namespace {

TEST_CASE("glob follows path.Match, with ** crossing '/' only when asked") {
  struct Case {
    const char* pattern;
    const char* text;
    GlobMode mode;
    bool match;
  };
  const auto kPath = GlobMode::kPath;
  const auto kDouble = GlobMode::kPathWithDoubleStar;
  const Case cases[] = {
      {"kube-*", "kube-system", kPath, true},
      {"kube-*", "kube-system/x", kPath, false},
      {"*/foo", "a/foo", kPath, true},
      {"?", "/", kPath, false},
      {"[a-c]x", "bx", kPath, true},
      {"[^a-c]x", "bx", kPath, false},
      {"\\*", "*", kPath, true},
      {"ghcr.io/**", "ghcr.io/org/team/app", kPath, false},
      {"ghcr.io/**", "ghcr.io/org/team/app", kDouble, true},
      {"**/x*", "a/x/b/xy", kDouble, true},
      {"reg/**/app", "reg/a/b/app", kDouble, true},
      {"reg/*/app", "reg/a/b/app", kDouble, false},
      {"", "", kPath, true},
      {"a*b*c", "aXXbYYc", kPath, true},
  };
  for (const auto& c : cases) {
    INFO(c.pattern << " vs " << c.text);
    auto got = GlobMatch(c.pattern, c.text, c.mode);
    REQUIRE(got.ok());
    CHECK(got.value() == c.match);
  }
}

TEST_CASE("malformed patterns are errors, even when the text would not match anyway") {
  for (const char* bad : {"[-x]", "[abc", "x\\", "[]"}) {
    INFO(bad);
    CHECK_FALSE(GlobMatch(bad, "zzz").ok());
    CHECK_FALSE(ValidateGlob(bad).ok());
  }
}

}  // namespace
}  // namespace pullguard

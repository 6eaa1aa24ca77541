// The one Go duration parser (the API server's ?timeout=, hosts.toml's dial_timeout, a
// credential provider's cacheDuration), against Go's time.ParseDuration.
#include <catch2/catch.hpp>

#include "common/duration.h"

namespace pullguard {
namespace {

using std::chrono::nanoseconds;

TEST_CASE("Go durations parse as time.ParseDuration does") {
  struct Case {
    const char* text;
    long long ns;
  };
  const Case ok[] = {
      {"0", 0},
      {"+0", 0},
      {"-0", 0},
      {"0s", 0},
      {"10s", 10'000'000'000},
      {"1m30s", 90'000'000'000},
      {"500ms", 500'000'000},
      {"2.5s", 2'500'000'000},
      {".5s", 500'000'000},
      {"5.s", 5'000'000'000},
      {"1h", 3'600'000'000'000},
      {"2h45m", 9'900'000'000'000},
      {"1.5h", 5'400'000'000'000},
      {"300us", 300'000},
      {"300\xC2\xB5s", 300'000},  // U+00B5 micro sign
      {"300\xCE\xBCs", 300'000},  // U+03BC Greek mu
      {"7ns", 7},
      {"-1.5s", -1'500'000'000},
      {"1h1m1s1ms1us1ns", 3'661'001'001'001},
      {"48h", 172'800'000'000'000},  // past a day: kept, not clamped
      {"2562047h", 2562047LL * 3'600'000'000'000},
  };
  for (const auto& c : ok) {
    INFO(c.text);
    auto parsed = ParseGoDuration(c.text);
    REQUIRE(parsed.has_value());
    CHECK(parsed->count() == c.ns);
  }
}

TEST_CASE("what Go refuses is refused") {
  for (const char* bad : {"", "10", "ten", "s", ".s", "1.2.3s", "1d", "10 s", "1s ", "+", "-", "1e3s",
                          "3000000h",  // past int64 nanoseconds (about 2562047 h)
                          "9223372036854775808ns"}) {
    INFO(bad);
    CHECK_FALSE(ParseGoDuration(bad).has_value());
  }
}

}  // namespace
}  // namespace pullguard

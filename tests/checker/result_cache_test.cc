// ResultCache on a fake clock: TTLs, stale-if-error that runs out, bounds.
#include <catch2/catch.hpp>

#include "checker/probe_results.h"
#include "checker/result_cache.h"

namespace pullguard::checker {
namespace {

using registry::Outcome;
using registry::ProbeResult;
using testing::Found;
using testing::NotFound;
using testing::Outage;




struct FakeClock {
  ResultCache::Clock::time_point now = ResultCache::Clock::time_point{} + std::chrono::hours(10);
  void Advance(std::chrono::seconds s) { now += s; }
};

TEST_CASE("positive and negative answers each keep their own TTL") {
  FakeClock clock;
  ResultCache cache([&] { return clock.now; });
  policy::CacheSettings s;  // 300 s positive, 30 s negative
  cache.Put("yes", Found(), s);
  cache.Put("no", NotFound(), s);
  clock.Advance(std::chrono::seconds(29));
  CHECK(cache.Fresh("yes", s));
  CHECK(cache.Fresh("no", s));
  clock.Advance(std::chrono::seconds(1));
  CHECK_FALSE(cache.Fresh("no", s));
  CHECK(cache.Fresh("yes", s));
  clock.Advance(std::chrono::seconds(270));
  CHECK_FALSE(cache.Fresh("yes", s));
}

TEST_CASE("regression: stale-if-error runs out, counted from when the answer was learned") {
  // The old code stored the stale answer again with a new time on every transient failure,
  // so staleIfErrorSeconds never ran out during an outage.
  FakeClock clock;
  ResultCache cache([&] { return clock.now; });
  policy::CacheSettings s;
  s.positive_ttl = std::chrono::seconds(60);
  s.stale_if_error = std::chrono::seconds(600);
  cache.Put("k", Found(), s);
  for (int minute = 1; minute < 10; ++minute) {
    clock.Advance(std::chrono::seconds(60));
    INFO("minute " << minute);
    CHECK_FALSE(cache.Fresh("k", s));
    CHECK(cache.Stale("k", s));
    cache.Put("k", Outage(), s);  // a transient failure is not stored, and renews nothing
  }
  clock.Advance(std::chrono::seconds(60));  // 600 s since it was learned
  CHECK_FALSE(cache.Stale("k", s));
}

TEST_CASE("a definite answer replaces an old one, a negative one never stands in") {
  FakeClock clock;
  ResultCache cache([&] { return clock.now; });
  policy::CacheSettings s;
  cache.Put("k", Found(), s);
  cache.Put("k", NotFound(), s);
  REQUIRE(cache.Fresh("k", s));
  CHECK(cache.Fresh("k", s)->outcome == Outcome::kNotFound);
  CHECK_FALSE(cache.Stale("k", s));
}

TEST_CASE("the cache is bounded: the oldest entries go first") {
  ResultCache cache;
  policy::CacheSettings s;
  s.max_entries = 3;
  for (int i = 0; i < 5; ++i) cache.Put("k" + std::to_string(i), Found(), s);
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.Fresh("k0", s));
  CHECK_FALSE(cache.Fresh("k1", s));
  CHECK(cache.Fresh("k4", s));
}

TEST_CASE("regression: a cached missing tag keeps a few hundred bytes, its tag list a small cache of its own") {
  // A cached "tag not found" kept the repository's tag list for suggestions: 10-15 KB each,
  // so 10,000 entries took ~120 MB, half the pod's memory limit.
  FakeClock clock;
  ResultCache cache([&] { return clock.now; });
  policy::CacheSettings s;
  ProbeResult missing = NotFound();
  for (int i = 0; i < 1000; ++i) missing.tags.push_back("v1.2." + std::to_string(i) + "-build.20261202");
  cache.Put("first", missing, s);
  auto fresh = cache.Fresh("first", s);
  REQUIRE(fresh);
  CHECK(fresh->tags.size() == 1000);  // suggestions still come with it while its list is kept
  // Many more missing tags: the tag lists' cache is bounded, the answers are not lost.
  for (int i = 0; i < 300; ++i) cache.Put("other-" + std::to_string(i), missing, s);
  auto later = cache.Fresh("first", s);
  REQUIRE(later);
  CHECK(later->outcome == Outcome::kNotFound);
  CHECK(later->tags.empty());  // its list was evicted: the verdict stays, the suggestion goes
  CHECK(cache.size() == 301);
}

}  // namespace
}  // namespace pullguard::checker

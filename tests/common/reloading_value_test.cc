// ReloadingValue, the one way a watched file is reloaded: change detection, keep the old on
// error (reported once), the first load's own rule, and Fresh()'s rate.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/reloading_value.h"

namespace pullguard {
namespace {

struct Dir {
  std::string path = std::filesystem::temp_directory_path() / ("pullguard-reload-" + std::to_string(::getpid()));
  Dir() { std::filesystem::create_directories(path); }
  ~Dir() { std::filesystem::remove_all(path); }
  // Write, then rename: a new inode, as a ConfigMap update gives.
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/.tmp") << text;
    std::filesystem::rename(path + "/.tmp", path + "/" + name);
    return path + "/" + name;
  }
};

// Loads a number; refuses text that is not one, and "0" on reload.
struct Counting {
  int loads = 0;
  Result<std::shared_ptr<const int>> operator()(const std::vector<std::string>& paths, bool first) {
    ++loads;
    auto text = ReadFile(paths.front());
    if (!text.ok()) return text.status();
    if (text.value() == "0" && !first) return Status::InvalidArgument("zero on reload");
    try {
      return std::make_shared<const int>(std::stoi(text.value()));
    } catch (...) {
      return Status::InvalidArgument("not a number");
    }
  }
};

TEST_CASE("a changed file is loaded again and a bad version keeps the old value, loaded once") {
  Dir dir;
  std::string file = dir.Write("n", "1");
  Counting counting;
  ReloadingValue<int> value("number", {file}, std::ref(counting));
  REQUIRE(value.Load().ok());
  CHECK(*value.Current() == 1);
  CHECK(value.ReloadIfChanged().ok());  // nothing changed: not loaded again
  CHECK(counting.loads == 1);
  dir.Write("n", "2");
  CHECK(value.ReloadIfChanged().ok());
  CHECK(*value.Current() == 2);
  CHECK(value.generation() == 1);
  dir.Write("n", "x");
  CHECK_FALSE(value.ReloadIfChanged().ok());
  CHECK(*value.Current() == 2);
  int loads = counting.loads;
  CHECK(value.ReloadIfChanged().ok());  // the same bad file is not retried at every look
  CHECK(counting.loads == loads);
  dir.Write("n", "0");  // refused on reload only
  CHECK_FALSE(value.ReloadIfChanged().ok());
  CHECK(*value.Current() == 2);
}

TEST_CASE("a file that vanishes for a moment changes nothing and the first load may fail") {
  Dir dir;
  ReloadingValue<int> missing("number", {dir.path + "/absent"}, Counting{});
  CHECK_FALSE(missing.Load().ok());
  CHECK(missing.Current() == nullptr);
  std::string file = dir.Write("n", "0");
  ReloadingValue<int> value("number", {file}, Counting{});
  REQUIRE(value.Load().ok());  // "0" is fine at first
  std::filesystem::remove(file);
  CHECK_FALSE(value.ReloadIfChanged().ok());
  CHECK(*value.Current() == 0);
}

TEST_CASE("Fresh() looks at the files at most once per recheck interval") {
  Dir dir;
  std::string file = dir.Write("n", "1");
  ReloadingValue<int> value("number", {file}, Counting{}, std::chrono::hours(1));
  REQUIRE(value.Load().ok());
  dir.Write("n", "2");
  CHECK(*value.Fresh() == 1);  // not looked at yet: the interval has not passed
  ReloadingValue<int> eager("number", {file}, Counting{}, std::chrono::milliseconds(0));
  REQUIRE(eager.Load().ok());
  dir.Write("n", "3");
  CHECK(*eager.Fresh() == 3);
}

}  // namespace
}  // namespace pullguard

// TempDir: a fresh directory under $TMPDIR, removed with everything in it at scope end.
#pragma once

#include <filesystem>
#include <string>

namespace pullguard::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/name atomically (write, then rename) and returns the path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path);

}  // namespace pullguard::testing

#include "common/file_watch.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pullguard {

Result<FileFingerprint> Fingerprint(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::Unavailable(path + ": " + std::strerror(err));
  }
  FileFingerprint fp;
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) != nullptr) fp.resolved_path = resolved;
  fp.inode = static_cast<long long>(st.st_ino);
  fp.size = static_cast<long long>(st.st_size);
  fp.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return fp;
}

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status::NotFound(path + ": no such file");
    return Status::Unavailable(path + ": cannot be read");
  }
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > max_bytes) {
      return Status::InvalidArgument(path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  return data;
}

}  // namespace pullguard

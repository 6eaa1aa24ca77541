#include "cli/manifest_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/file_watch.h"
#include "common/glob.h"

namespace pullguard::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool IsManifestFile(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

bool IsKubernetesObject(const json& obj) {
  if (!obj.is_object()) return false;
  auto kind = obj.find("kind"), version = obj.find("apiVersion");
  return kind != obj.end() && kind->is_string() && version != obj.end() && version->is_string();
}

bool IsList(const json& obj) {
  if (!IsKubernetesObject(obj)) return false;
  auto items = obj.find("items");
  if (items == obj.end() || !items->is_array()) return false;
  const std::string& k = obj["kind"].get_ref<const std::string&>();
  return k.size() >= 4 && k.compare(k.size() - 4, 4, "List") == 0;
}

// The lines under `prefix` ("items[3]"), re-rooted at the item.
std::map<std::string, int> LinesUnder(const std::map<std::string, int>& lines, const std::string& prefix) {
  std::map<std::string, int> out;
  for (auto it = lines.lower_bound(prefix); it != lines.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (it->first.size() > prefix.size() && it->first[prefix.size()] == '.') out[it->first.substr(prefix.size() + 1)] = it->second;
  }
  return out;
}

bool LooksLikeHelm(const std::string& text) { return text.find("{{") != std::string::npos && text.find("}}") != std::string::npos; }

void ReadText(const std::string& text, const std::string& source, const ReadOptions& options, ManifestSet& out) {
  ++out.files;
  auto parsed = ParseYamlDocuments(text, options.yaml);
  std::string helm = LooksLikeHelm(text) ? " (a Helm template? check its output: helm template ... | pullguard check -f -)" : "";
  if (!parsed.ok()) {
    std::string message = parsed.status().message();
    int line = 0;
    if (size_t colon = message.find(':'); colon != std::string::npos && colon < 8) {
      line = std::atoi(message.substr(0, colon).c_str());
    }
    out.problems.push_back({source, line, message + helm});
    return;
  }
  for (const auto& [line, message] : parsed->problems) out.problems.push_back({source, line, message + helm});
  for (auto& doc : parsed.value().documents) {
    if (!IsKubernetesObject(doc.value)) {
      ++out.not_kubernetes;
      continue;
    }
    if (IsList(doc.value)) {
      json& items = doc.value["items"];
      for (size_t i = 0; i < items.size(); ++i) {
        std::string prefix = "items[" + std::to_string(i) + "]";
        if (!IsKubernetesObject(items[i])) {
          out.problems.push_back({source, doc.lines.count(prefix) ? doc.lines.at(prefix) : doc.line,
                                  "document " + std::to_string(doc.index) + ": " + prefix +
                                      " is not a Kubernetes object (it needs apiVersion and kind strings)"});
          continue;
        }
        int line = doc.lines.count(prefix) ? doc.lines.at(prefix) : doc.line;
        out.objects.push_back({source, doc.index, line, std::move(items[i]), LinesUnder(doc.lines, prefix)});
      }
      continue;
    }
    out.objects.push_back({source, doc.index, doc.line, std::move(doc.value), std::move(doc.lines)});
  }
}

// Reads a regular file, or says why not. A FIFO, a device or a socket is refused before it is
// opened (opening a FIFO blocks until a writer comes).
Result<std::string> ReadRegular(const std::string& path, size_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::NotFound("no such file or directory");
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument("not a regular file (a FIFO or device is not read)");
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    return Status::InvalidArgument("larger than " + std::to_string(max_bytes >> 20) + " MiB");
  }
  auto text = ReadFile(path, max_bytes);
  if (!text.ok()) return Status::InvalidArgument("cannot be read");
  return text;
}

Result<std::string> ReadStdin(size_t max_bytes) {
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    if (text.size() + n > max_bytes) return Status::InvalidArgument("larger than " + std::to_string(max_bytes >> 20) + " MiB");
    text.append(buf, n);
  }
  return text;
}

bool Excluded(const std::string& path, const std::vector<std::string>& globs) {
  for (const auto& g : globs) {
    auto m = GlobMatch(g, path, GlobMode::kPathWithDoubleStar);
    if (m.ok() && m.value()) return true;
    // A pattern without a directory part matches a name anywhere ("Chart.yaml").
    if (g.find('/') == std::string::npos) {
      auto base = GlobMatch(g, fs::path(path).filename().string(), GlobMode::kPath);
      if (base.ok() && base.value()) return true;
    }
  }
  return false;
}

}  // namespace

ManifestSet ReadManifestText(const std::string& text, const std::string& source, const ReadOptions& options) {
  ManifestSet out;
  ReadText(text, source, options, out);
  return out;
}

int ManifestObject::LineOf(const std::string& path) const {
  std::string p = path;
  while (!p.empty()) {
    if (auto it = lines.find(p); it != lines.end()) return it->second;
    size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  return line;
}

ManifestSet ReadManifests(const std::vector<std::string>& paths, const ReadOptions& options) {
  ManifestSet out;
  for (const auto& path : paths) {
    if (path == "-") {
      auto text = ReadStdin(options.max_bytes);
      if (!text.ok()) {
        out.problems.push_back({"<stdin>", 0, text.status().message(), true});
      } else {
        ReadText(text.value(), "<stdin>", options, out);
      }
      continue;
    }
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec && !fs::exists(fs::symlink_status(path, ec))) {
      out.problems.push_back({path, 0, "no such file or directory", true});
      continue;
    }
    if (fs::is_directory(status)) {
      std::vector<std::string> files;
      fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        std::error_code entry_ec;
        // Symlinks to directories are not followed (no loops); broken links are skipped.
        if (!it->is_regular_file(entry_ec) || entry_ec || !IsManifestFile(it->path())) continue;
        files.push_back(it->path().string());
      }
      if (ec) out.problems.push_back({path, 0, ec.message()});
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (Excluded(f, options.exclude)) {
          ++out.excluded;
          continue;
        }
        auto text = ReadRegular(f, options.max_bytes);
        if (!text.ok()) {
          ++out.files;
          out.problems.push_back({f, 0, text.status().message()});
          continue;
        }
        ReadText(text.value(), f, options, out);
      }
      continue;
    }
    auto text = ReadRegular(path, options.max_bytes);
    if (!text.ok()) {
      bool missing = text.status().code() == StatusCode::kNotFound;
      out.problems.push_back({path, 0, text.status().message(), missing});
      continue;
    }
    ReadText(text.value(), path, options, out);
  }
  return out;
}

}  // namespace pullguard::cli

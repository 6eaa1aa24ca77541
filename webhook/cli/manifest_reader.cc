#include "cli/manifest_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "common/file_watch.h"
#include "common/glob.h"
#include "workload/kinds.h"

namespace pullguard::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What one ReadManifests run gathers besides its ManifestSet.
struct ReadState {
  ManifestSet out;
  // The files kustomizations list as patches (by PathKey), each with the kustomization's path.
  std::map<std::string, std::string> patch_files;
  bool resolve_patch_files = true;  // false for one text on its own: no other file to match
};

// Patch files taken from one kustomization at most (a hostile one may list millions).
constexpr size_t kMaxPatchFiles = 10'000;

bool IsManifestFile(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

bool IsKubernetesObject(const json& obj) {
  if (!obj.is_object()) return false;
  auto kind = obj.find("kind"), version = obj.find("apiVersion");
  return kind != obj.end() && kind->is_string() && version != obj.end() && version->is_string();
}

// kustomize's own files: a Kustomization or a Component (apiVersion and kind are optional in
// them, so the file's name says it too). They are never sent to a cluster.
bool IsKustomization(const json& obj, const std::string& source) {
  std::string name = fs::path(source).filename().string();
  if (name == "kustomization.yaml" || name == "kustomization.yml" || name == "Kustomization") return true;
  if (!obj.is_object()) return false;
  auto version = obj.find("apiVersion");
  return version != obj.end() && version->is_string() &&
         version->get_ref<const std::string&>().rfind("kustomize.config.k8s.io/", 0) == 0;
}

// A path as one key, however it was written ("./a/../b.yaml", a symlinked folder).
std::string PathKey(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal().string() : canonical.string();
}

// The patch files a kustomization names (patches[].path, patchesStrategicMerge[] unless
// inline, patchesJson6902[].path), relative to its folder, into state.patch_files.
void AddKustomizationPatches(const json& kustomization, const std::string& source, ReadState& state) {
  if (!state.resolve_patch_files || !kustomization.is_object() || source == "<stdin>") return;
  fs::path dir = fs::path(source).parent_path();
  std::string folder = dir.empty() ? "." : dir.string();
  if (std::find(state.out.kustomizations.begin(), state.out.kustomizations.end(), folder) == state.out.kustomizations.end()) {
    state.out.kustomizations.push_back(folder);
    auto kind = kustomization.find("kind");
    if (kind != kustomization.end() && *kind == "Component") state.out.components.push_back(folder);
  }
  size_t added = 0;
  auto add = [&](const json& path) {
    if (!path.is_string() || ++added > kMaxPatchFiles) return;
    const std::string& p = path.get_ref<const std::string&>();
    // An inline strategic merge patch is YAML text, not a file name.
    if (p.empty() || p.find('\n') != std::string::npos) return;
    state.patch_files.emplace(PathKey((dir / p).string()), source);
  };
  for (const char* key : {"patches", "patchesStrategicMerge", "patchesJson6902"}) {
    auto list = kustomization.find(key);
    if (list == kustomization.end() || !list->is_array()) continue;
    for (const auto& entry : *list) {
      if (entry.is_string()) {
        add(entry);
      } else if (entry.is_object()) {
        if (auto path = entry.find("path"); path != entry.end()) add(*path);
      }
    }
  }
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

bool AllDigits(const std::string& s, size_t from, size_t to) {
  if (from >= to) return false;
  for (size_t i = from; i < to; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// A whole-file YAML error, "LINE:COLUMN: message" (ParseYamlDocuments), as a problem whose
// place is in its own fields, so that it is said once ("f.yaml:21:9: not valid YAML: ...").
ManifestProblem FileProblem(const std::string& source, std::string message) {
  ManifestProblem problem{source, 0, message};
  size_t first = message.find(':');
  if (first == std::string::npos || first > 9 || !AllDigits(message, 0, first)) return problem;
  size_t second = message.find(':', first + 1);
  if (second == std::string::npos || second - first > 10 || !AllDigits(message, first + 1, second)) return problem;
  if (message.compare(second, 2, ": ") != 0) return problem;
  problem.line = std::atoi(message.substr(0, first).c_str());
  problem.column = std::atoi(message.substr(first + 1, second - first - 1).c_str());
  problem.message = message.substr(second + 2);
  return problem;
}

void ReadText(const std::string& text, const std::string& source, const ReadOptions& options, ReadState& state) {
  ManifestSet& out = state.out;
  ++out.files;
  auto parsed = ParseYamlDocuments(text, options.yaml);
  std::string helm = LooksLikeHelm(text) ? " (a Helm template? check its output: helm template ... | pullguard check -f -)" : "";
  if (!parsed.ok()) {
    ManifestProblem problem = FileProblem(source, parsed.status().message());
    problem.message += helm;
    out.problems.push_back(std::move(problem));
    return;
  }
  for (const auto& [line, message] : parsed->problems) out.problems.push_back({source, line, message + helm});
  for (auto& doc : parsed.value().documents) {
    if (IsKustomization(doc.value, source)) {
      ++out.not_kubernetes;
      AddKustomizationPatches(doc.value, source, state);
      continue;
    }
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

// The top-level field an object of this built-in kind cannot be without ("spec", "template"
// for a PodTemplate), or "" for kinds that may have none (a ConfigMap, a Secret, RBAC).
std::string RequiredTopField(const std::string& group, const std::string& kind) {
  if (auto location = workload::LocatePodSpec(group, kind); location && !location->keys.empty()) return location->keys[0];
  if ((group.empty() && (kind == "Service" || kind == "PersistentVolumeClaim")) ||
      (group == "networking.k8s.io" && kind == "Ingress") || (group == "autoscaling" && kind == "HorizontalPodAutoscaler")) {
    return "spec";
  }
  return "";
}

// Why `m` is taken for a kustomize patch, or "": a file a kustomization lists as a patch, or
// a document with metadata but without the spec its kind cannot be without (a strategic merge
// patch that changes labels or annotations; the API server refuses it as an object).
std::string PatchReason(ManifestObject& m, const std::map<std::string, std::string>& patch_files,
                        std::map<std::string, std::string>& keys) {
  if (!patch_files.empty() && m.file != "<stdin>") {
    auto key = keys.find(m.file);
    if (key == keys.end()) key = keys.emplace(m.file, PathKey(m.file)).first;
    if (auto listed = patch_files.find(key->second); listed != patch_files.end()) {
      m.kustomization = listed->second;
      return "a kustomize patch (listed in " + listed->second + ")";
    }
  }
  auto kind = m.object.find("kind");
  auto version = m.object.find("apiVersion");
  auto metadata = m.object.find("metadata");
  if (kind == m.object.end() || !kind->is_string() || version == m.object.end() || !version->is_string() ||
      metadata == m.object.end() || !metadata->is_object()) {
    return "";
  }
  const std::string& v = version->get_ref<const std::string&>();
  std::string group = v.find('/') == std::string::npos ? "" : v.substr(0, v.find('/'));
  std::string required = RequiredTopField(group, kind->get_ref<const std::string&>());
  if (required.empty()) return "";
  auto spec = m.object.find(required);
  if (spec != m.object.end() && !spec->is_null()) return "";
  return "a kustomize patch, it seems: kind and metadata, no " + required;
}

// Moves the patches out of the objects.
void SetAsidePatches(ReadState& state) {
  std::map<std::string, std::string> keys;  // file -> PathKey, once per file
  std::vector<ManifestObject> objects;
  objects.reserve(state.out.objects.size());
  for (auto& m : state.out.objects) {
    std::string why = PatchReason(m, state.patch_files, keys);
    if (why.empty()) {
      objects.push_back(std::move(m));
    } else {
      m.patch = std::move(why);
      state.out.patches.push_back(std::move(m));
    }
  }
  state.out.objects = std::move(objects);
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

// A symbolic link whose target does not exist: what it points to, in words.
std::string DanglingLink(const fs::path& link) {
  std::error_code ec;
  fs::path target = fs::read_symlink(link, ec);
  return "a symbolic link to " + (ec ? std::string("a file") : target.string()) + ", which does not exist";
}

void ReportProgress(const ReadOptions& options, const ManifestSet& out) {
  if (options.progress) options.progress(out.files, out.objects.size());
}

}  // namespace

std::string ManifestProblem::Where() const {
  std::string where = file;
  if (line > 0) {
    where += ":" + std::to_string(line);
    if (column > 0) where += ":" + std::to_string(column);
  }
  return where;
}

ManifestSet ReadManifestText(const std::string& text, const std::string& source, const ReadOptions& options) {
  ReadState state;
  state.resolve_patch_files = false;
  ReadText(text, source, options, state);
  SetAsidePatches(state);
  return std::move(state.out);
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
  ReadState state;
  ManifestSet& out = state.out;
  for (const auto& path : paths) {
    if (path == "-") {
      auto text = ReadStdin(options.max_bytes);
      if (!text.ok()) {
        out.problems.push_back({"<stdin>", 0, text.status().message(), true});
      } else {
        ReadText(text.value(), "<stdin>", options, state);
      }
      ReportProgress(options, out);
      continue;
    }
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    fs::file_status link_status = fs::symlink_status(path, ec);
    if (!fs::exists(link_status)) {
      out.problems.push_back({path, 0, "no such file or directory", true});
      continue;
    }
    if (fs::is_symlink(link_status) && !fs::exists(status)) {
      out.problems.push_back({path, 0, DanglingLink(path), true});
      continue;
    }
    if (fs::is_directory(status)) {
      std::vector<std::string> files;
      std::vector<ManifestProblem> odd;  // entries named as manifests that are no file to read
      fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        const fs::path& entry = it->path();
        if (!IsManifestFile(entry)) continue;
        std::error_code entry_ec;
        if (it->is_regular_file(entry_ec) && !entry_ec) {
          files.push_back(entry.string());
          continue;
        }
        // Symlinks to directories are not followed (no loops), nor are directories named *.yaml.
        entry_ec.clear();
        if (it->is_directory(entry_ec) && !entry_ec) continue;
        entry_ec.clear();
        bool link = it->is_symlink(entry_ec) && !entry_ec;
        std::error_code target_ec;
        if (link && !fs::exists(entry, target_ec)) {
          odd.push_back({entry.string(), 0, DanglingLink(entry)});
        } else {
          odd.push_back({entry.string(), 0, "not a regular file (a FIFO or device is not read)"});
        }
      }
      if (ec) out.problems.push_back({path, 0, ec.message()});
      std::sort(files.begin(), files.end());
      for (auto& problem : odd) {
        if (Excluded(problem.file, options.exclude)) continue;  // --exclude leaves them out too
        out.problems.push_back(std::move(problem));
      }
      for (const auto& f : files) {
        if (Excluded(f, options.exclude)) {
          ++out.excluded;
          continue;
        }
        auto text = ReadRegular(f, options.max_bytes);
        if (!text.ok()) {
          ++out.files;
          out.problems.push_back({f, 0, text.status().message()});
        } else {
          ReadText(text.value(), f, options, state);
        }
        ReportProgress(options, out);
      }
      continue;
    }
    auto text = ReadRegular(path, options.max_bytes);
    if (!text.ok()) {
      bool missing = text.status().code() == StatusCode::kNotFound;
      out.problems.push_back({path, 0, text.status().message(), missing});
      continue;
    }
    ReadText(text.value(), path, options, state);
    ReportProgress(options, out);
  }
  SetAsidePatches(state);
  return std::move(state.out);
}

}  // namespace pullguard::cli

#include "cli/manifest_reader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "common/file_watch.h"

namespace pullguard::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kMaxYamlDepth = 200;

Result<json> ToJson(const YAML::Node& node, int depth) {
  if (depth > kMaxYamlDepth) return Status::InvalidArgument("nested deeper than " + std::to_string(kMaxYamlDepth));
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() != "!") {  // plain (unquoted) scalars may be YAML's null, booleans or numbers
        if (s == "null" || s == "~" || s.empty()) return json(nullptr);
        if (s == "true") return json(true);
        if (s == "false") return json(false);
        if (auto number = json::parse(s, nullptr, false); number.is_number()) return number;
      }
      return json(s);
    }
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node) {
        ASSIGN_OR_RETURN(json value, ToJson(item, depth + 1));
        array.push_back(std::move(value));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) {
        ASSIGN_OR_RETURN(json value, ToJson(entry.second, depth + 1));
        object[entry.first.Scalar()] = std::move(value);
      }
      return object;
    }
  }
  return json(nullptr);
}

bool IsList(const json& obj) {
  if (!obj.is_object() || !obj.contains("items") || !obj["items"].is_array()) return false;
  auto kind = obj.find("kind");
  if (kind == obj.end() || !kind->is_string()) return false;
  const std::string& k = kind->get_ref<const std::string&>();
  return k.size() >= 4 && k.compare(k.size() - 4, 4, "List") == 0;
}

Status ReadText(const std::string& text, const std::string& source, std::vector<ManifestObject>& out) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    std::string where = source;
    if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Status::InvalidArgument(where + ": not valid YAML: " + e.msg);
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    if (docs[i].IsNull()) continue;  // "---" with nothing after it
    std::string where = source + " (document " + std::to_string(i + 1) + ")";
    auto converted = ToJson(docs[i], 0);
    if (!converted.ok()) return Status::InvalidArgument(where + ": " + converted.status().message());
    json obj = std::move(converted).value();
    if (!obj.is_object() || !obj.contains("kind") || !obj["kind"].is_string()) {
      return Status::InvalidArgument(where + ": not a Kubernetes object (no kind)");
    }
    if (IsList(obj)) {
      for (auto& item : obj["items"]) {
        if (!item.is_object() || !item.contains("kind")) {
          return Status::InvalidArgument(where + ": a List item is not a Kubernetes object");
        }
        out.push_back({source, static_cast<int>(i + 1), std::move(item)});
      }
      continue;
    }
    out.push_back({source, static_cast<int>(i + 1), std::move(obj)});
  }
  return Status::Ok();
}

bool IsManifestFile(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

}  // namespace

Result<std::vector<ManifestObject>> ReadManifests(const std::vector<std::string>& paths) {
  std::vector<ManifestObject> out;
  for (const auto& path : paths) {
    if (path == "-") {
      std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
      RETURN_IF_ERROR(ReadText(text, "<stdin>", out));
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file() && IsManifestFile(it->path())) files.push_back(it->path());
      }
      if (ec) return Status::InvalidArgument(path + ": " + ec.message());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        ASSIGN_OR_RETURN(std::string text, ReadFile(f.string()));
        RETURN_IF_ERROR(ReadText(text, f.string(), out));
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    RETURN_IF_ERROR(ReadText(text, path, out));
  }
  return out;
}

}  // namespace pullguard::cli

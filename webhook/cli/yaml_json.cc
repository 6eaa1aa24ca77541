#include "cli/yaml_json.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
#include <sstream>
#include <unordered_set>

namespace pullguard::cli {
namespace {

using nlohmann::json;

class Converter {
 public:
  Converter(const YamlLimits& limits, std::map<std::string, int>& lines) : limits_(limits), lines_(lines) {}

  int error_line() const { return error_line_; }

  Result<json> Convert(const YAML::Node& node, const std::string& path, int depth) {
    // A value met again is one an alias expands: a billion laughs is all of those.
    if (!seen_.insert(node.Mark().pos).second && ++expanded_ > limits_.max_alias_values) {
      error_line_ = node.Mark().line + 1;
      return Status::InvalidArgument("excessive aliasing: more than " + std::to_string(limits_.max_alias_values) +
                                     " values repeated through aliases");
    }
    if (++visited_ > limits_.max_nodes) {
      return Status::InvalidArgument("more than " + std::to_string(limits_.max_nodes) + " values in one document");
    }
    if (depth > limits_.max_depth) {
      return Status::InvalidArgument("nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    if (!path.empty() && node.Mark().line >= 0 && lines_.size() < kMaxLines) lines_.emplace(path, node.Mark().line + 1);
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return json(nullptr);
      case YAML::NodeType::Scalar:
        return Scalar(node);
      case YAML::NodeType::Sequence: {
        json array = json::array();
        size_t i = 0;
        for (const auto& item : node) {
          ASSIGN_OR_RETURN(json value, Convert(item, path + "[" + std::to_string(i++) + "]", depth + 1));
          array.push_back(std::move(value));
        }
        return array;
      }
      case YAML::NodeType::Map:
        return Map(node, path, depth);
    }
    return json(nullptr);
  }

 private:
  static constexpr size_t kMaxLines = 100'000;

  static json Scalar(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    if (node.Tag() == "!") return json(s);  // quoted: a string, whatever it looks like
    if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) return json(nullptr);
    if (s == "true" || s == "True" || s == "TRUE") return json(true);
    if (s == "false" || s == "False" || s == "FALSE") return json(false);
    if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '+' || s[0] == '.')) {
      if (auto number = json::parse(s, nullptr, false); number.is_number()) return number;
    }
    return json(s);
  }

  static std::string Join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

  Result<json> Map(const YAML::Node& node, const std::string& path, int depth) {
    json object = json::object();
    std::vector<const YAML::Node*> merges;
    std::vector<YAML::Node> merge_storage;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) {
        error_line_ = entry.first.Mark().line + 1;
        return Status::InvalidArgument("a mapping key must be a string");
      }
      const std::string& key = entry.first.Scalar();
      if (key == "<<" && entry.first.Tag() != "!") {
        merge_storage.push_back(entry.second);
        continue;
      }
      if (object.contains(key)) {
        error_line_ = entry.first.Mark().line + 1;
        // Only a document's own key given again is the mark of two files concatenated.
        return Status::InvalidArgument(path.empty() ? "key \"" + key + "\" is given twice (a missing --- between documents?)"
                                                    : "key \"" + key + "\" in " + path + " is given twice");
      }
      ASSIGN_OR_RETURN(json value, Convert(entry.second, Join(path, key), depth + 1));
      object[key] = std::move(value);
    }
    // Merge keys: the merged mappings' entries, unless the mapping sets them itself; of
    // several merged mappings, the first wins.
    for (const auto& merge : merge_storage) {
      std::vector<YAML::Node> sources;
      if (merge.IsMap()) {
        sources.push_back(merge);
      } else if (merge.IsSequence()) {
        for (const auto& item : merge) sources.push_back(item);
      }
      for (const auto& source : sources) {
        if (!source.IsMap()) {
          error_line_ = source.Mark().line + 1;
          return Status::InvalidArgument("a merge key (<<) takes a mapping or a list of mappings");
        }
        ASSIGN_OR_RETURN(json merged, Map(source, path, depth + 1));
        for (auto& [k, v] : merged.items()) {
          if (!object.contains(k)) object[k] = std::move(v);
        }
      }
    }
    return object;
  }

  const YamlLimits& limits_;
  std::map<std::string, int>& lines_;
  size_t visited_ = 0;
  size_t expanded_ = 0;
  std::unordered_set<size_t> seen_;  // source positions of values already converted
  int error_line_ = 0;
};

// yaml-cpp 0.7's LoadAll loops forever, its document list growing until memory runs out, when
// a ',' stands outside any [ ] or { } where a document would go on (",a", "- a\n,"): its
// parser yields an empty document at the same place again and again. Found by
// fuzz_manifest_reader. This walks the documents first, without building them, and stops at
// the first one that starts where the previous one did.
class DocumentWalk : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  YAML::Mark start = YAML::Mark::null_mark();
};

// Where the text makes LoadAll loop (see DocumentWalk), or nullopt. Parse errors are left to
// LoadAll, which reports them with their place.
std::optional<YAML::Mark> StuckDocument(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentWalk walk;
  int previous = -1;
  try {
    while (parser.HandleNextDocument(walk)) {
      if (walk.start.pos == previous) return walk.start;
      previous = walk.start.pos;
    }
  } catch (const YAML::Exception&) {
  }
  return std::nullopt;
}

}  // namespace

Result<YamlFile> ParseYamlDocuments(const std::string& text, const YamlLimits& limits) {
  std::vector<YAML::Node> docs;
  if (auto stuck = StuckDocument(text)) {
    return Status::InvalidArgument(std::to_string(stuck->line + 1) + ":" + std::to_string(stuck->column + 1) +
                                   ": not valid YAML: a ',' outside [ ] or { }");
  }
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    std::string where = e.mark.line >= 0 ? std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " : "";
    return Status::InvalidArgument(where + "not valid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("not valid YAML: ") + e.what());
  }
  YamlFile file;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (docs[i].IsNull()) continue;  // "---" with nothing after it
    YamlDocument doc;
    doc.index = static_cast<int>(i + 1);
    doc.line = docs[i].Mark().line + 1;
    Converter converter(limits, doc.lines);
    Result<json> value = Status::Internal("unset");
    try {
      value = converter.Convert(docs[i], "", 0);
    } catch (const std::exception& e) {  // yaml-cpp throws on some malformed nodes
      value = Status::InvalidArgument(e.what());
    }
    if (!value.ok()) {
      int line = converter.error_line() > 0 ? converter.error_line() : doc.line;
      file.problems.emplace_back(line, "document " + std::to_string(doc.index) + ": " + value.status().message());
      continue;
    }
    doc.value = std::move(value).value();
    file.documents.push_back(std::move(doc));
  }
  return file;
}

}  // namespace pullguard::cli

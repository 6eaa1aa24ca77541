#include "auth/credential_provider_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "auth/config_syntax.h"
#include "auth/keyring.h"
#include "common/duration.h"

namespace pullguard::auth {
namespace {

constexpr size_t kMaxValues = 100'000;  // nodes read per file (aliases can repeat a subtree)
constexpr uintmax_t kMaxFileBytes = 4 << 20;

constexpr std::string_view kConfigV1 = "kubelet.config.k8s.io/v1";
constexpr std::string_view kConfigV1beta1 = "kubelet.config.k8s.io/v1beta1";
constexpr std::string_view kConfigV1alpha1 = "kubelet.config.k8s.io/v1alpha1";

enum class ScalarKind { kNull, kBool, kNumber, kString, kList, kMap };

// What a node becomes when the kubelet turns YAML into JSON: quoted scalars are strings, plain
// ones may be null, booleans or numbers.
ScalarKind Classify(const YAML::Node& node) {
  if (node.IsSequence()) return ScalarKind::kList;
  if (node.IsMap()) return ScalarKind::kMap;
  if (!node.IsDefined() || node.IsNull()) return ScalarKind::kNull;
  const std::string& tag = node.Tag();
  const std::string& s = node.Scalar();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return ScalarKind::kString;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ScalarKind::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE") {
    return ScalarKind::kBool;
  }
  unsigned char first = static_cast<unsigned char>(s[0]);
  if (std::isdigit(first) || first == '-' || first == '.') {
    if (nlohmann::json::parse(s, nullptr, false).is_number()) return ScalarKind::kNumber;
  }
  return ScalarKind::kString;
}

const char* Describe(ScalarKind kind) {
  switch (kind) {
    case ScalarKind::kNull: return "null";
    case ScalarKind::kBool: return "a boolean";
    case ScalarKind::kNumber: return "a number";
    case ScalarKind::kString: return "a string";
    case ScalarKind::kList: return "a list";
    case ScalarKind::kMap: return "a mapping";
  }
  return "a value";
}


std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "; ") + line;
  return out;
}

struct Field {
  YAML::Node key;
  YAML::Node value;
};
using Fields = std::map<std::string, Field, std::less<>>;

// Walks the document, keeping decoding errors (the kubelet refuses the file before it
// validates anything) apart from validation errors.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  std::string At(const YAML::Node& node) const {
    std::string where = source_;
    const YAML::Mark mark = node.Mark();
    if (mark.line >= 0) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    return where;
  }
  void DecodeError(const YAML::Node& at, const std::string& field, const std::string& message) {
    decode_errors_.push_back(At(at) + ": " + (field.empty() ? "" : field + ": ") + message);
  }
  void Invalid(const YAML::Node& at, const std::string& field, const std::string& message) {
    validation_errors_.push_back(At(at) + ": " + field + ": " + message);
  }
  const std::vector<std::string>& decode_errors() const { return decode_errors_; }
  const std::vector<std::string>& validation_errors() const { return validation_errors_; }

  // False (and an error, once) past kMaxValues nodes.
  bool Budget(const YAML::Node& at) {
    if (++values_ <= kMaxValues) return true;
    if (values_ == kMaxValues + 1) DecodeError(at, "", "too many values (more than 100000)");
    return false;
  }

  // A mapping's fields (null: none). Reports keys given twice and keys outside `known`, as the
  // kubelet's strict decoding does.
  std::optional<Fields> Map(const YAML::Node& node, const std::string& field,
                            std::initializer_list<std::string_view> known) {
    Fields fields;
    ScalarKind kind = Classify(node);
    if (kind == ScalarKind::kNull) return fields;
    if (kind != ScalarKind::kMap) {
      DecodeError(node, field, std::string("must be a mapping, not ") + Describe(kind));
      return std::nullopt;
    }
    for (const auto& entry : node) {
      if (!Budget(entry.first)) return std::nullopt;
      if (!entry.first.IsScalar()) {
        DecodeError(entry.first, field, "a key must be a string");
        continue;
      }
      const std::string& key = entry.first.Scalar();
      std::string path = Child(field, key);
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        DecodeError(entry.first, path, "unknown field (known: " + list + ")");
        continue;
      }
      if (!fields.emplace(key, Field{entry.first, entry.second}).second) {
        DecodeError(entry.first, path, "duplicate field; keep one");
      }
    }
    return fields;
  }

  // A string field: null is "", anything but a string is an error.
  std::optional<std::string> String(const YAML::Node& node, const std::string& field) {
    ScalarKind kind = Classify(node);
    if (kind == ScalarKind::kNull) return std::string();
    if (kind == ScalarKind::kString) return node.Scalar();
    DecodeError(node, field, std::string("must be a string, not ") + Describe(kind));
    return std::nullopt;
  }

  // A list of strings: null is empty.
  std::optional<std::vector<std::string>> Strings(const YAML::Node& node, const std::string& field) {
    std::vector<std::string> out;
    ScalarKind kind = Classify(node);
    if (kind == ScalarKind::kNull) return out;
    if (kind != ScalarKind::kList) {
      DecodeError(node, field, std::string("must be a list of strings, not ") + Describe(kind));
      return std::nullopt;
    }
    bool ok = true;
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      if (!Budget(item)) return std::nullopt;
      auto s = String(item, Index(field, i));
      if (!s) {
        ok = false;
        continue;
      }
      out.push_back(std::move(*s));
    }
    if (!ok) return std::nullopt;
    return out;
  }

  static std::string Child(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
  }
  static std::string Index(const std::string& parent, size_t i) { return parent + "[" + std::to_string(i) + "]"; }

 private:
  std::string source_;
  std::vector<std::string> decode_errors_;
  std::vector<std::string> validation_errors_;
  size_t values_ = 0;
};

void ValidateAnnotationKeys(Reader& r, const YAML::Node& at, const std::string& field,
                            const std::vector<std::string>& keys) {
  std::set<std::string> seen;
  for (size_t i = 0; i < keys.size(); ++i) {
    YAML::Node item = at.IsSequence() && i < at.size() ? at[i] : at;
    std::string path = Reader::Index(field, i);
    for (const auto& problem : QualifiedNameProblems(keys[i])) r.Invalid(item, path, "invalid value " + GoQuote(keys[i]) + ": " + problem);
    if (!seen.insert(keys[i]).second) r.Invalid(item, path, "duplicate value " + GoQuote(keys[i]));
  }
}

std::optional<TokenAttributes> ReadTokenAttributes(Reader& r, const YAML::Node& node, const std::string& field,
                                                   const std::string& provider_api_version) {
  auto fields = r.Map(node, field,
                      {"serviceAccountTokenAudience", "cacheType", "requireServiceAccount",
                       "requiredServiceAccountAnnotationKeys", "optionalServiceAccountAnnotationKeys"});
  if (!fields) return std::nullopt;
  TokenAttributes attrs;
  auto get = [&](std::string_view key) -> const Field* {
    auto it = fields->find(key);
    return it == fields->end() ? nullptr : &it->second;
  };
  std::optional<std::string> audience, cache_type;
  std::optional<bool> require;
  std::vector<std::string> required_keys, optional_keys;
  if (const Field* f = get("serviceAccountTokenAudience")) audience = r.String(f->value, Reader::Child(field, "serviceAccountTokenAudience"));
  if (const Field* f = get("cacheType")) cache_type = r.String(f->value, Reader::Child(field, "cacheType"));
  if (const Field* f = get("requireServiceAccount")) {
    ScalarKind kind = Classify(f->value);
    if (kind == ScalarKind::kBool) {
      std::string s = f->value.Scalar();
      require = s[0] == 't' || s[0] == 'T';
    } else if (kind != ScalarKind::kNull) {
      r.DecodeError(f->value, Reader::Child(field, "requireServiceAccount"),
                    std::string("must be true or false, not ") + Describe(kind));
    }
  }
  const Field* required_field = get("requiredServiceAccountAnnotationKeys");
  const Field* optional_field = get("optionalServiceAccountAnnotationKeys");
  if (required_field) {
    required_keys = r.Strings(required_field->value, Reader::Child(field, "requiredServiceAccountAnnotationKeys")).value_or(std::vector<std::string>{});
  }
  if (optional_field) {
    optional_keys = r.Strings(optional_field->value, Reader::Child(field, "optionalServiceAccountAnnotationKeys")).value_or(std::vector<std::string>{});
  }
  if (!r.decode_errors().empty()) return std::nullopt;

  // config.go's validateCredentialProviderConfig, tokenAttributes part.
  if (audience.value_or("").empty()) {
    r.Invalid(node, Reader::Child(field, "serviceAccountTokenAudience"), "required value");
  }
  if (!require.has_value()) r.Invalid(node, Reader::Child(field, "requireServiceAccount"), "required value");
  if (provider_api_version != kCredentialProviderV1) {
    r.Invalid(node, field, "forbidden: tokenAttributes is only supported for " + std::string(kCredentialProviderV1) +
                               " API version");
  }
  if (require.has_value() && !*require && !required_keys.empty()) {
    r.Invalid(required_field->value, Reader::Child(field, "requiredServiceAccountAnnotationKeys"),
              "forbidden: requireServiceAccount cannot be false when requiredServiceAccountAnnotationKeys is set");
  }
  if (required_field) {
    ValidateAnnotationKeys(r, required_field->value, Reader::Child(field, "requiredServiceAccountAnnotationKeys"), required_keys);
  }
  if (optional_field) {
    ValidateAnnotationKeys(r, optional_field->value, Reader::Child(field, "optionalServiceAccountAnnotationKeys"), optional_keys);
  }
  std::vector<std::string> both;
  std::set<std::string> required_set(required_keys.begin(), required_keys.end());
  std::set<std::string> optional_set(optional_keys.begin(), optional_keys.end());
  std::set_intersection(required_set.begin(), required_set.end(), optional_set.begin(), optional_set.end(),
                        std::back_inserter(both));
  if (!both.empty()) {
    std::string list;
    for (const auto& k : both) list += (list.empty() ? "" : ", ") + GoQuote(k);
    r.Invalid(node, field, "invalid value [" + list + "]: annotation keys cannot be both required and optional");
  }
  const std::string ct = cache_type.value_or("");
  if (ct.empty()) {
    r.Invalid(node, Reader::Child(field, "cacheType"),
              "required value: cacheType is required to be set when tokenAttributes is specified. Supported values "
              "are: ServiceAccount, Token");
  } else if (ct == "Token") {
    attrs.cache_type = ServiceAccountTokenCacheType::kToken;
  } else if (ct == "ServiceAccount") {
    attrs.cache_type = ServiceAccountTokenCacheType::kServiceAccount;
  } else {
    r.Invalid(get("cacheType")->value, Reader::Child(field, "cacheType"),
              "unsupported value " + GoQuote(ct) + ": supported values: \"ServiceAccount\", \"Token\"");
  }
  attrs.service_account_token_audience = audience.value_or("");
  attrs.require_service_account = require.value_or(true);
  attrs.required_service_account_annotation_keys = std::move(required_keys);
  attrs.optional_service_account_annotation_keys = std::move(optional_keys);
  return attrs;
}

std::optional<CredentialProviderSpec> ReadProvider(Reader& r, const YAML::Node& node, const std::string& field,
                                                   bool config_v1) {
  std::initializer_list<std::string_view> v1_fields = {"name", "matchImages", "defaultCacheDuration", "apiVersion",
                                                       "args", "env", "tokenAttributes"};
  std::initializer_list<std::string_view> beta_fields = {"name", "matchImages", "defaultCacheDuration",
                                                         "apiVersion", "args", "env"};
  auto fields = r.Map(node, field, config_v1 ? v1_fields : beta_fields);
  if (!fields) return std::nullopt;
  auto get = [&](std::string_view key) -> const Field* {
    auto it = fields->find(key);
    return it == fields->end() ? nullptr : &it->second;
  };
  size_t errors_before = r.decode_errors().size();
  CredentialProviderSpec spec;
  std::optional<std::chrono::nanoseconds> default_cache;
  if (const Field* f = get("name")) spec.name = r.String(f->value, Reader::Child(field, "name")).value_or("");
  if (const Field* f = get("apiVersion")) spec.api_version = r.String(f->value, Reader::Child(field, "apiVersion")).value_or("");
  if (const Field* f = get("matchImages")) {
    spec.match_images = r.Strings(f->value, Reader::Child(field, "matchImages")).value_or(std::vector<std::string>{});
  }
  if (const Field* f = get("args")) spec.args = r.Strings(f->value, Reader::Child(field, "args")).value_or(std::vector<std::string>{});
  if (const Field* f = get("defaultCacheDuration")) {
    std::string path = Reader::Child(field, "defaultCacheDuration");
    ScalarKind kind = Classify(f->value);
    if (kind == ScalarKind::kString) {
      default_cache = ParseGoDuration(f->value.Scalar());
      if (!default_cache) r.DecodeError(f->value, path, "not a Go duration (such as \"12h\", \"10m\" or \"0\")");
    } else if (kind == ScalarKind::kNumber) {
      r.DecodeError(f->value, path, "must be a string holding a Go duration, not a number: quote it (\"" +
                                        f->value.Scalar() + "\")");
    } else if (kind != ScalarKind::kNull) {
      r.DecodeError(f->value, path, std::string("must be a Go duration string, not ") + Describe(kind));
    }
  }
  if (const Field* f = get("env")) {
    std::string path = Reader::Child(field, "env");
    ScalarKind kind = Classify(f->value);
    if (kind == ScalarKind::kList) {
      for (size_t i = 0; i < f->value.size(); ++i) {
        const YAML::Node item = f->value[i];
        if (!r.Budget(item)) break;
        std::string item_path = Reader::Index(path, i);
        auto env_fields = r.Map(item, item_path, {"name", "value"});
        if (!env_fields) continue;
        std::string name, value;
        if (auto it = env_fields->find("name"); it != env_fields->end()) {
          name = r.String(it->second.value, item_path + ".name").value_or("");
        }
        if (auto it = env_fields->find("value"); it != env_fields->end()) {
          value = r.String(it->second.value, item_path + ".value").value_or("");
        }
        spec.env.emplace_back(std::move(name), std::move(value));
      }
    } else if (kind != ScalarKind::kNull) {
      r.DecodeError(f->value, path, std::string("must be a list of {name, value}, not ") + Describe(kind));
    }
  }
  if (r.decode_errors().size() != errors_before) return std::nullopt;

  // config.go's validateCredentialProviderConfig, per provider.
  const YAML::Node name_at = get("name") ? get("name")->value : node;
  std::string name_path = Reader::Child(field, "name");
  if (spec.name.empty()) r.Invalid(name_at, name_path, "required value: the plugin's file name in the bin dir");
  if (spec.name.find('/') != std::string::npos) {
    r.Invalid(name_at, name_path, "invalid value " + GoQuote(spec.name) + ": provider name cannot contain '/'");
  }
  if (spec.name.find(' ') != std::string::npos) {
    r.Invalid(name_at, name_path, "invalid value " + GoQuote(spec.name) + ": provider name cannot contain spaces");
  }
  if (spec.name == "." || spec.name == "..") {
    r.Invalid(name_at, name_path, "invalid value " + GoQuote(spec.name) + ": provider name cannot be '" + spec.name + "'");
  }
  const YAML::Node api_at = get("apiVersion") ? get("apiVersion")->value : node;
  if (spec.api_version.empty()) {
    r.Invalid(api_at, Reader::Child(field, "apiVersion"), "required value");
  } else if (spec.api_version != kCredentialProviderV1 && spec.api_version != kCredentialProviderV1beta1 &&
             spec.api_version != kCredentialProviderV1alpha1) {
    r.Invalid(api_at, Reader::Child(field, "apiVersion"),
              "unsupported value " + GoQuote(spec.api_version) + ": supported values: \"" +
                  std::string(kCredentialProviderV1) + "\", \"" + std::string(kCredentialProviderV1alpha1) + "\", \"" +
                  std::string(kCredentialProviderV1beta1) + "\"");
  }
  const Field* match = get("matchImages");
  if (spec.match_images.empty()) {
    r.Invalid(match ? match->value : node, Reader::Child(field, "matchImages"),
              "required value: at least 1 item in matchImages is required");
  }
  for (size_t i = 0; i < spec.match_images.size(); ++i) {
    std::string problem = SchemelessUrlProblem(spec.match_images[i]);
    if (problem.empty()) continue;
    r.Invalid(match->value[i], Reader::Index(Reader::Child(field, "matchImages"), i),
              "invalid value " + GoQuote(spec.match_images[i]) + ": match image is invalid: " + problem);
  }
  const Field* cache = get("defaultCacheDuration");
  if (!default_cache) {
    r.Invalid(cache ? cache->value : node, Reader::Child(field, "defaultCacheDuration"), "required value");
  } else if (default_cache->count() < 0) {
    r.Invalid(cache->value, Reader::Child(field, "defaultCacheDuration"),
              "invalid value " + GoQuote(cache->value.Scalar()) + ": defaultCacheDuration must be greater than or equal to 0");
  } else {
    spec.default_cache_duration = *default_cache;
  }
  if (const Field* f = get("tokenAttributes")) {
    // A null tokenAttributes is an absent one, as a nil pointer in Go.
    if (Classify(f->value) != ScalarKind::kNull) {
      spec.token_attributes = ReadTokenAttributes(r, f->value, Reader::Child(field, "tokenAttributes"), spec.api_version);
    }
  }
  return spec;
}

Result<CredentialProviderConfig> Parse(std::string_view text, std::string_view source, bool require_providers) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string where(source);
    if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Status::InvalidArgument(where + ": not valid YAML or JSON: " + e.msg);
  }
  Reader r(source);
  CredentialProviderConfig config;
  try {
    if (Classify(root) != ScalarKind::kMap) {
      return Status::InvalidArgument(r.At(root) + ": expected a CredentialProviderConfig (apiVersion: " +
                                     std::string(kConfigV1) + ", kind: CredentialProviderConfig, providers: [...])");
    }
    auto fields = r.Map(root, "", {"apiVersion", "kind", "providers"});
    if (!fields) return Status::InvalidArgument(Join(r.decode_errors()));
    auto get = [&](std::string_view key) -> const Field* {
      auto it = fields->find(key);
      return it == fields->end() ? nullptr : &it->second;
    };
    // apiVersion and kind first: they decide how the rest is read.
    const Field* api = get("apiVersion");
    std::string api_version = api ? r.String(api->value, "apiVersion").value_or("") : "";
    if (api_version.empty()) {
      r.DecodeError(api ? api->value : root, "apiVersion", "required (" + std::string(kConfigV1) + ")");
    } else if (api_version != kConfigV1 && api_version != kConfigV1beta1 && api_version != kConfigV1alpha1) {
      r.DecodeError(api->value, "apiVersion",
                    "no kind \"CredentialProviderConfig\" is registered for version " + GoQuote(api_version) + " (use " +
                        std::string(kConfigV1) + ", v1beta1 or v1alpha1)");
    }
    const Field* kind = get("kind");
    std::string kind_value = kind ? r.String(kind->value, "kind").value_or("") : "";
    if (kind_value.empty()) {
      r.DecodeError(kind ? kind->value : root, "kind", "required (CredentialProviderConfig)");
    } else if (kind_value != "CredentialProviderConfig") {
      r.DecodeError(kind->value, "kind", "failed to decode " + GoQuote(kind_value) + " (wrong Kind)");
    }
    if (!r.decode_errors().empty()) return Status::InvalidArgument(Join(r.decode_errors()));

    const Field* providers = get("providers");
    std::set<std::string> names;
    if (providers && Classify(providers->value) != ScalarKind::kNull) {
      if (!providers->value.IsSequence()) {
        r.DecodeError(providers->value, "providers",
                      std::string("must be a list, not ") + Describe(Classify(providers->value)));
      } else {
        for (size_t i = 0; i < providers->value.size(); ++i) {
          const YAML::Node item = providers->value[i];
          if (!r.Budget(item)) break;
          std::string path = Reader::Index("providers", i);
          auto spec = ReadProvider(r, item, path, api_version == kConfigV1);
          if (!spec) continue;
          if (!spec->name.empty() && !names.insert(spec->name).second) {
            const YAML::Node at = item.IsMap() && item["name"] ? item["name"] : item;
            r.Invalid(at, path + ".name", "duplicate value " + GoQuote(spec->name));
          }
          config.providers.push_back(std::move(*spec));
        }
      }
    }
    if (!r.decode_errors().empty()) return Status::InvalidArgument(Join(r.decode_errors()));
    if (require_providers && config.providers.empty()) {
      r.Invalid(providers ? providers->value : root, "providers",
                "required value: at least 1 item in plugins is required");
    }
  } catch (const std::exception& e) {  // yaml-cpp throws on some malformed nodes
    return Status::InvalidArgument(std::string(source) + ": not a valid CredentialProviderConfig: " + e.what());
  }
  if (!r.validation_errors().empty()) return Status::InvalidArgument(Join(r.validation_errors()));
  return config;
}

Result<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::NotFound("unable to access path " + GoQuote(path) + ": " + ec.message());
  if (size > kMaxFileBytes) return Status::InvalidArgument(path + ": larger than 4 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("unable to read file " + GoQuote(path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<CredentialProviderConfig> ParseCredentialProviderConfig(std::string_view text, std::string_view source) {
  return Parse(text, source, /*require_providers=*/true);
}

Result<CredentialProviderConfig> LoadCredentialProviderConfig(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return Status::InvalidArgument("credential provider config path is empty");
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return Status::NotFound("unable to access path " + GoQuote(path));
  if (!fs::is_directory(status)) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    return ParseCredentialProviderConfig(text, path);
  }
  std::vector<std::string> files;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    std::string ext = it->path().extension().string();
    std::error_code dir_ec;
    if (!it->is_directory(dir_ec) && (ext == ".json" || ext == ".yaml" || ext == ".yml")) {
      files.push_back(it->path().string());
    }
  }
  if (ec) return Status::NotFound("unable to read directory " + GoQuote(path) + ": " + ec.message());
  if (files.empty()) return Status::InvalidArgument("no configuration files found in directory " + GoQuote(path));
  std::sort(files.begin(), files.end());
  CredentialProviderConfig merged;
  std::set<std::string> names;
  for (const auto& file : files) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(file));
    ASSIGN_OR_RETURN(CredentialProviderConfig config, Parse(text, file, /*require_providers=*/false));
    for (auto& provider : config.providers) {
      if (!names.insert(provider.name).second) {
        return Status::InvalidArgument(file + ": duplicate provider name " + GoQuote(provider.name) +
                                       " found in configuration file(s)");
      }
      merged.providers.push_back(std::move(provider));
    }
  }
  if (merged.providers.empty()) {
    return Status::InvalidArgument(path + ": providers: required value: at least 1 item in plugins is required");
  }
  return merged;
}

bool ProviderMatchesImage(const CredentialProviderSpec& spec, std::string_view image) {
  const std::string target(image);
  return std::any_of(spec.match_images.begin(), spec.match_images.end(),
                     [&](const std::string& glob) { return UrlsMatch(glob, target); });
}

}  // namespace pullguard::auth

#include "auth/credential_provider.h"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "auth/plugin_exec.h"
#include "common/bounded_cache.h"
#include "common/duration.h"
#include "common/sha256.h"

namespace pullguard::auth {
namespace {

using nlohmann::json;

constexpr std::string_view kGlobalCacheKey = "global";
constexpr std::chrono::hours kMaxCacheDuration{24 * 365 * 100};

// What a decoded response says.
struct Response {
  CacheKeyType cache_key_type = CacheKeyType::kImage;
  std::optional<std::chrono::nanoseconds> cache_duration;  // absent: the provider's default
  DockerConfig auth;
};

// What one plugin run gave, shared by every caller that waited for it.
struct Outcome {
  ProviderFailure failure = ProviderFailure::kNone;
  std::string text;
  DockerConfig auth;
};

// An injective encoding of strings (the kubelet's cryptobyte length prefixes).
void AppendField(std::string* out, std::string_view s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((n >> shift) & 0xff));
  out->append(s);
}

void AppendAnnotations(std::string* out, const std::map<std::string, std::string>& annotations) {
  AppendField(out, std::to_string(annotations.size()));
  for (const auto& [key, value] : annotations) {  // sorted by key
    AppendField(out, key);
    AppendField(out, value);
  }
}


// parseRegistry: the image's first path segment, port included.
std::string RegistryOf(std::string_view image) { return std::string(image.substr(0, image.find('/'))); }

std::string CacheKey(std::string_view base, std::string_view service_account_key) {
  std::string key;
  AppendField(&key, base);
  AppendField(&key, service_account_key);
  return key;
}

std::string Seconds(std::chrono::steady_clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1fs", std::chrono::duration<double>(d).count());
  return text;
}

// A value the plugin printed, when it is short, looks like an identifier and holds none of the
// response's credentials. Failure texts repeat the plugin's output only through these two.
std::optional<std::string> Safe(std::string_view s, const std::vector<std::string>& secrets) {
  bool plain = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '/' || c == '-' || c == '_';
  });
  for (const auto& secret : secrets) {
    if (plain && s.find(secret) != std::string_view::npos) plain = false;
  }
  if (!plain) return std::nullopt;
  return std::string(s);
}

std::string Echo(std::string_view s, const std::vector<std::string>& secrets) {
  auto safe = Safe(s, secrets);
  return safe ? "\"" + *safe + "\"" : std::string("(a value not shown)");
}

// Every string under auth.*.* of at least 4 bytes: what Echo must never repeat.
std::vector<std::string> SecretsIn(const json& doc) {
  std::vector<std::string> secrets;
  auto auth = doc.find("auth");
  if (auth == doc.end() || !auth->is_object()) return secrets;
  for (const auto& entry : auth->items()) {
    if (!entry.value().is_object()) continue;
    for (const auto& field : entry.value().items()) {
      if (field.value().is_string() && field.value().get_ref<const std::string&>().size() >= 4) {
        secrets.push_back(field.value().get<std::string>());
      }
    }
  }
  return secrets;
}

Outcome Bad(ProviderFailure failure, std::string text) {
  Outcome out;
  out.failure = failure;
  out.text = std::move(text);
  return out;
}

// Go's strict decoding of a string field: a string, or null for "".
bool StringOrNull(const json& v) { return v.is_string() || v.is_null(); }

// ExecPlugin's checks, then decodeResponse's (strict: unknown and repeated fields are errors),
// then provide's cacheKeyType check. Nothing of `out` reaches a failure text but through Echo.
Outcome DecodeResponse(std::string_view out, const std::string& api_version, Response* response) {
  std::vector<std::set<std::string>> keys;
  std::string duplicate;
  json::parser_callback_t track = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == json::parse_event_t::key && !keys.empty() && parsed.is_string() &&
        !keys.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json doc = json::parse(out.begin(), out.end(), track, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Bad(ProviderFailure::kBadResponse, "its response is not a JSON object");
  }
  const std::vector<std::string> secrets = SecretsIn(doc);
  auto api = doc.find("apiVersion");
  auto kind = doc.find("kind");
  if ((api != doc.end() && !StringOrNull(*api)) || (kind != doc.end() && !StringOrNull(*kind))) {
    return Bad(ProviderFailure::kBadResponse, "its response's apiVersion or kind is not a string");
  }
  std::string answered = api != doc.end() && api->is_string() ? api->get<std::string>() : "";
  if (answered != api_version) {
    auto safe = Safe(answered, secrets);
    std::string shown = answered.empty() ? std::string("no apiVersion")
                        : safe          ? "apiVersion " + *safe
                                        : std::string("another apiVersion");
    return Bad(ProviderFailure::kWrongApiVersion, "answered " + shown + ", configured " + api_version);
  }
  if (!duplicate.empty()) {
    return Bad(ProviderFailure::kBadResponse, "duplicate field " + Echo(duplicate, secrets) + " in its response");
  }
  static const std::set<std::string> kFields = {"apiVersion", "kind", "cacheKeyType", "cacheDuration", "auth"};
  for (const auto& item : doc.items()) {
    if (kFields.count(item.key()) == 0) {
      return Bad(ProviderFailure::kBadResponse, "unknown field " + Echo(item.key(), secrets) + " in its response");
    }
  }
  std::string kind_value = kind != doc.end() && kind->is_string() ? kind->get<std::string>() : "";
  if (kind_value != "CredentialProviderResponse") {
    return Bad(ProviderFailure::kBadResponse,
               "its response's kind is " + (kind_value.empty() ? std::string("missing") : Echo(kind_value, secrets)) +
                   ", not CredentialProviderResponse");
  }
  auto key_type = doc.find("cacheKeyType");
  auto duration = doc.find("cacheDuration");
  auto auth = doc.find("auth");
  if (key_type != doc.end() && !StringOrNull(*key_type)) {
    return Bad(ProviderFailure::kBadResponse, "its response's cacheKeyType is not a string");
  }
  if (duration != doc.end() && !duration->is_null()) {
    std::optional<std::chrono::nanoseconds> d;
    if (duration->is_string()) d = ParseGoDuration(duration->get_ref<const std::string&>());
    if (!d) return Bad(ProviderFailure::kBadResponse, "its response's cacheDuration is not a Go duration string");
    response->cache_duration = d;
  }
  if (auth != doc.end() && !auth->is_null()) {
    if (!auth->is_object()) return Bad(ProviderFailure::kBadResponse, "its response's auth is not a mapping");
    for (const auto& entry : auth->items()) {
      DockerConfigEntry config_entry;
      if (!entry.value().is_null()) {
        if (!entry.value().is_object()) {
          return Bad(ProviderFailure::kBadResponse, "an entry of its response's auth is not a mapping");
        }
        for (const auto& field : entry.value().items()) {
          if (field.key() != "username" && field.key() != "password") {
            return Bad(ProviderFailure::kBadResponse,
                       "unknown field " + Echo(field.key(), secrets) + " in an auth entry of its response");
          }
          if (!StringOrNull(field.value())) {
            return Bad(ProviderFailure::kBadResponse, "an auth entry's " + field.key() + " is not a string");
          }
          std::string value = field.value().is_string() ? field.value().get<std::string>() : "";
          (field.key() == "username" ? config_entry.username : config_entry.password) = std::move(value);
        }
      }
      response->auth.emplace_back(entry.key(), std::move(config_entry));
    }
  }
  std::string key_type_value = key_type != doc.end() && key_type->is_string() ? key_type->get<std::string>() : "";
  if (key_type_value == "Image") {
    response->cache_key_type = CacheKeyType::kImage;
  } else if (key_type_value == "Registry") {
    response->cache_key_type = CacheKeyType::kRegistry;
  } else if (key_type_value == "Global") {
    response->cache_key_type = CacheKeyType::kGlobal;
  } else {
    return Bad(ProviderFailure::kBadCacheKeyType,
               "answered cacheKeyType " + (key_type_value.empty() ? std::string("\"\"") : Echo(key_type_value, secrets)) +
                   ", not Image, Registry or Global");
  }
  return Outcome{};
}

ProviderFailure FailureOf(PluginRunKind kind) {
  switch (kind) {
    case PluginRunKind::kOk: return ProviderFailure::kNone;
    case PluginRunKind::kNotFound: return ProviderFailure::kNotFound;
    case PluginRunKind::kNotExecutable: return ProviderFailure::kNotExecutable;
    case PluginRunKind::kExitNonZero: return ProviderFailure::kExitNonZero;
    case PluginRunKind::kSignaled: return ProviderFailure::kSignaled;
    case PluginRunKind::kTimedOut: return ProviderFailure::kTimedOut;
    case PluginRunKind::kOutputTooLarge: return ProviderFailure::kOutputTooLarge;
    case PluginRunKind::kStartFailed: return ProviderFailure::kStartFailed;
  }
  return ProviderFailure::kStartFailed;
}

struct Flight {
  bool done = false;
  Outcome outcome;
};

}  // namespace

struct CredentialProviders::State {
  const CredentialProviderSpec* spec = nullptr;
  std::string path;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_ptr<BoundedCache<DockerConfig>> cache;         // answers by cache key (its own lock)
  std::map<std::string, std::shared_ptr<Flight>> flights;    // guarded by mu
  size_t execs = 0;                                           // guarded by mu
};

CredentialProviders::CredentialProviders(CredentialProviderConfig config, std::string bin_dir)
    : CredentialProviders(std::move(config), std::move(bin_dir), Options{}) {}

CredentialProviders::CredentialProviders(CredentialProviderConfig config, std::string bin_dir, Now now)
    : CredentialProviders(std::move(config), std::move(bin_dir), [&now] {
        Options options;
        options.now = std::move(now);
        return options;
      }()) {}

CredentialProviders::CredentialProviders(CredentialProviderConfig config, std::string bin_dir, Options options)
    : config_(std::move(config)), bin_dir_(std::move(bin_dir)), options_(std::move(options)) {
  while (bin_dir_.size() > 1 && bin_dir_.back() == '/') bin_dir_.pop_back();
  if (!options_.now) options_.now = [] { return std::chrono::steady_clock::now(); };
  for (const auto& spec : config_.providers) {
    auto state = std::make_unique<State>();
    state->spec = &spec;
    state->path = bin_dir_ + "/" + spec.name;
    state->cache = std::make_unique<BoundedCache<DockerConfig>>("credential_plugins",
                                                                std::max<size_t>(1, options_.max_cache_entries),
                                                                options_.now);
    states_.emplace(spec.name, std::move(state));  // names are unique in a validated config
  }
}

CredentialProviders::~CredentialProviders() = default;

std::vector<const CredentialProviderSpec*> CredentialProviders::Matching(std::string_view image) const {
  std::vector<const CredentialProviderSpec*> out;
  for (const auto& spec : config_.providers) {
    if (ProviderMatchesImage(spec, image)) out.push_back(&spec);
  }
  return out;
}

size_t CredentialProviders::execs(const std::string& name) const {
  auto it = states_.find(name);
  if (it == states_.end()) return 0;
  std::lock_guard<std::mutex> lock(it->second->mu);
  return it->second->execs;
}

ProviderAnswer CredentialProviders::Provide(const CredentialProviderSpec& requested, const ProviderRequest& request,
                                            std::chrono::steady_clock::time_point deadline) {
  ProviderAnswer answer;
  answer.provider = requested.name;
  auto fail = [&](ProviderFailure failure, std::string text) {
    answer.ok = false;
    answer.failure = failure;
    answer.failure_text = std::move(text);
    return answer;
  };
  auto found = states_.find(requested.name);
  if (found == states_.end()) return fail(ProviderFailure::kNotConfigured, "no provider of that name is configured");
  State& state = *found->second;
  const CredentialProviderSpec& spec = *state.spec;
  const std::string& image = request.image;
  if (!ProviderMatchesImage(spec, image)) {
    return fail(ProviderFailure::kImageNotMatched, "none of its matchImages matches the image");
  }

  // KEP-4412: the token, the annotations the provider asks for, and the cache dimension.
  std::string token, token_hash, service_account_key;
  std::map<std::string, std::string> annotations;
  const bool token_mode = spec.token_attributes.has_value() && spec.api_version == kCredentialProviderV1;
  if (token_mode) {
    const TokenAttributes& attrs = *spec.token_attributes;
    if (!request.service_account_token.has_value() || request.service_account_token->empty()) {
      if (attrs.require_service_account) {
        return fail(ProviderFailure::kServiceAccountRequired,
                    "requires the pod's service account token (tokenAttributes.requireServiceAccount), and none was "
                    "given");
      }
    } else {
      for (const auto& key : attrs.required_service_account_annotation_keys) {
        auto it = request.service_account_annotations.find(key);
        if (it == request.service_account_annotations.end()) {
          return fail(ProviderFailure::kAnnotationMissing, "the service account lacks the required annotation " + key);
        }
        annotations[key] = it->second;
      }
      for (const auto& key : attrs.optional_service_account_annotation_keys) {
        auto it = request.service_account_annotations.find(key);
        if (it != request.service_account_annotations.end()) annotations[key] = it->second;
      }
      token = *request.service_account_token;
      token_hash = "sha256:" + Sha256Hex(token);
      AppendField(&service_account_key, request.service_account_namespace);
      AppendField(&service_account_key, request.service_account_name);
      AppendField(&service_account_key, request.service_account_uid);
      AppendAnnotations(&service_account_key, annotations);
      if (attrs.cache_type == ServiceAccountTokenCacheType::kToken) {
        AppendField(&service_account_key, "token");
        AppendField(&service_account_key, token_hash);
      }
    }
  }

  auto finish = [&](const DockerConfig& auth, bool from_cache) {
    answer.ok = true;
    answer.from_cache = from_cache;
    answer.auth = auth;
    Keyring keyring;
    keyring.Add(auth, "credential provider " + spec.name);
    answer.credentials = keyring.Lookup(image);
    for (auto& credential : answer.credentials) credential.identity.clear();
    return answer;
  };

  std::unique_lock<std::mutex> lock(state.mu);
  // getCachedCredentials: the image, then its registry, then the global key.
  for (const std::string& base : {image, RegistryOf(image), std::string(kGlobalCacheKey)}) {
    std::optional<DockerConfig> auth = state.cache->Get(CacheKey(base, service_account_key));
    if (!auth) continue;
    lock.unlock();
    return finish(*auth, /*from_cache=*/true);
  }

  // Singleflight: one run per image (and token and annotations) at a time.
  std::string flight_key = image;
  if (!token.empty()) {
    flight_key.clear();
    AppendField(&flight_key, image);
    AppendField(&flight_key, token_hash);
    AppendAnnotations(&flight_key, annotations);
  }
  if (auto in_flight = state.flights.find(flight_key); in_flight != state.flights.end()) {
    std::shared_ptr<Flight> flight = in_flight->second;
    const auto waited_from = std::chrono::steady_clock::now();
    if (!state.cv.wait_until(lock, deadline, [&] { return flight->done; })) {
      return fail(ProviderFailure::kTimedOut, "timed out after " + Seconds(std::chrono::steady_clock::now() - waited_from) +
                                                  " waiting for the plugin run already in flight");
    }
    Outcome outcome = flight->outcome;
    lock.unlock();
    if (outcome.failure != ProviderFailure::kNone) return fail(outcome.failure, outcome.text);
    return finish(outcome.auth, /*from_cache=*/false);
  }
  auto flight = std::make_shared<Flight>();
  state.flights.emplace(flight_key, flight);
  ++state.execs;
  lock.unlock();

  Outcome outcome;
  std::optional<std::pair<DockerConfig, std::chrono::steady_clock::duration>> to_cache;  // and for how long
  std::optional<std::string> cache_key;
  try {
    json body = {{"apiVersion", spec.api_version}, {"kind", "CredentialProviderRequest"}, {"image", image}};
    if (!token.empty()) body["serviceAccountToken"] = token;
    if (!annotations.empty()) body["serviceAccountAnnotations"] = annotations;
    PluginLimits limits;
    limits.deadline = std::min(deadline, std::chrono::steady_clock::now() + options_.max_run_time);
    limits.max_output_bytes = options_.max_output_bytes;
    PluginRun run = RunPlugin(state.path, spec.args, spec.env,
                              body.dump(-1, ' ', false, json::error_handler_t::replace), limits);
    if (run.kind != PluginRunKind::kOk) {
      outcome = Bad(FailureOf(run.kind), DescribePluginRun(run, state.path, limits));
    } else {
      Response response;
      outcome = DecodeResponse(run.stdout_bytes, spec.api_version, &response);
      if (outcome.failure == ProviderFailure::kNone && !token.empty() &&
          spec.token_attributes->cache_type != ServiceAccountTokenCacheType::kToken) {
        for (const auto& entry : response.auth) {
          if (entry.second.password == token) {
            outcome = Bad(ProviderFailure::kTokenEchoed,
                          "returned the service account token as a password, which tokenAttributes.cacheType "
                          "ServiceAccount does not allow (use Token)");
            break;
          }
        }
      }
      if (outcome.failure == ProviderFailure::kNone) {
        outcome.auth = std::move(response.auth);
        // cacheDuration 0: not cached; absent: the default, where 0 also means not cached.
        std::chrono::nanoseconds ttl = response.cache_duration.value_or(spec.default_cache_duration);
        ttl = std::min<std::chrono::nanoseconds>(ttl, kMaxCacheDuration);  // no overflow of now + ttl
        if (ttl.count() > 0) {
          std::string base = response.cache_key_type == CacheKeyType::kImage      ? image
                             : response.cache_key_type == CacheKeyType::kRegistry ? RegistryOf(image)
                                                                                  : std::string(kGlobalCacheKey);
          cache_key = CacheKey(base, service_account_key);
          to_cache.emplace(outcome.auth, std::chrono::duration_cast<std::chrono::steady_clock::duration>(ttl));
        }
      }
    }
  } catch (const std::exception&) {  // allocation failures: waiters must still be woken
    outcome = Bad(ProviderFailure::kStartFailed, "internal error while running the plugin");
  }

  lock.lock();
  if (to_cache && cache_key && options_.max_cache_entries > 0) {
    state.cache->Put(*cache_key, std::move(to_cache->first), to_cache->second);
  }
  flight->done = true;
  flight->outcome = outcome;
  state.flights.erase(flight_key);
  lock.unlock();
  state.cv.notify_all();
  if (outcome.failure != ProviderFailure::kNone) return fail(outcome.failure, outcome.text);
  return finish(outcome.auth, /*from_cache=*/false);
}

}  // namespace pullguard::auth

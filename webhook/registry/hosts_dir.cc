#include "registry/hosts_dir.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "common/file_watch.h"
#include "common/log.h"
#include "registry/hosts_toml.h"

namespace pullguard::registry {
namespace {

constexpr size_t kMaxHostsTomlBytes = 1 << 20;
constexpr size_t kMaxCaBytes = 4 << 20;

// The PEM text of `files`, one after the other; a file that cannot be read is a problem.
std::shared_ptr<const std::string> ReadCas(const std::vector<std::string>& files, std::string& problem) {
  if (files.empty()) return nullptr;
  auto pem = std::make_shared<std::string>();
  for (const auto& f : files) {
    auto text = ReadFile(f, kMaxCaBytes);
    if (!text.ok()) {
      problem += (problem.empty() ? "" : "; ") + ("CA file " + f + ": " + text.status().message());
      continue;
    }
    pem->append(*text);
    pem->push_back('\n');
  }
  return pem;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Docker's layout: every *.crt in the folder is a CA for the registry itself.
std::vector<std::string> CrtFiles(const std::string& folder) {
  std::vector<std::string> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".crt") == 0 && it->is_regular_file(ec)) {
      out.push_back(it->path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Docker's layout: NAME.cert is a client certificate, NAME.key its key when there is one
// (else the key is in the .cert file), as containerd's loadCertFiles reads them.
std::vector<std::pair<std::string, std::string>> ClientCertFiles(const std::string& folder) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".cert") != 0 || !it->is_regular_file(ec)) continue;
    std::string key = folder + "/" + name.substr(0, name.size() - 5) + ".key";
    out.emplace_back(it->path().string(), std::filesystem::exists(key, ec) ? key : "");
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> HostsFolderNames(const std::string& registry) {
  std::vector<std::string> names;
  size_t colon = registry.rfind(':');
  if (colon != std::string::npos && colon > 0) {
    names.push_back(registry.substr(0, colon) + "_" + registry.substr(colon + 1) + "_");
  }
  names.push_back(registry);
  names.push_back("_default");
  return names;
}

std::optional<std::vector<RegistryHost>> HostsDirectory::Load(const std::string& dir, const std::string& registry,
                                                              const RegistryHost& upstream, std::string& problem) const {
  std::string folder;
  for (const auto& name : HostsFolderNames(registry)) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir + "/" + name, ec)) {
      folder = dir + "/" + name;
      break;
    }
  }
  if (folder.empty()) return std::nullopt;

  std::vector<HostsTomlHost> parsed;
  std::string file = folder + "/hosts.toml";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    auto text = ReadFile(file, kMaxHostsTomlBytes);
    auto hosts = text.ok() ? ParseHostsToml(*text, folder) : Result<std::vector<HostsTomlHost>>(text.status());
    if (hosts.ok()) {
      parsed = std::move(hosts).value();
    } else {
      problem = file + ": " + hosts.status().message() + " (containerd then asks the registry itself, as pullguard does)";
    }
  }
  if (parsed.empty()) {  // no hosts.toml, or one that does not parse: the registry, with *.crt
    HostsTomlHost self;
    self.ca_files = CrtFiles(folder);
    self.client_pairs = ClientCertFiles(folder);
    parsed.push_back(std::move(self));
  }

  std::vector<RegistryHost> out;
  for (size_t i = 0; i < parsed.size(); ++i) {
    const HostsTomlHost& p = parsed[i];
    bool last = i + 1 == parsed.size();
    RegistryHost h = upstream;  // the upstream's policy settings (allowPrivateAddress) carry over
    if (!p.scheme.empty()) {
      h.scheme = p.scheme;
      h.host = p.host;
      h.path = p.path;
    }
    h.ca_file.clear();
    h.is_mirror = !last;
    h.can_pull = p.can_pull;
    h.can_resolve = p.can_resolve;
    h.skip_verify = p.skip_verify;
    h.headers = p.headers;
    // curl presents one certificate: the first, which is the one Go's TLS sends when the
    // registry names no acceptable CA.
    if (!p.client_pairs.empty()) {
      h.client_cert = p.client_pairs.front().first;
      h.client_key = p.client_pairs.front().second;
    }
    h.dial_timeout = p.dial_timeout;
    h.extra_ca_pem = ReadCas(p.ca_files, problem);
    h.extra_ca_files = Join(p.ca_files);
    out.push_back(std::move(h));
  }
  return out;
}

std::optional<std::vector<RegistryHost>> HostsDirectory::HostsFor(const std::string& dir, const std::string& registry,
                                                                  const RegistryHost& upstream) {
  std::string key = dir + "\n" + registry + "\n" + upstream.Key();
  if (auto cached = entries_.Get(key)) return cached->hosts;
  std::string problem;
  auto hosts = Load(dir, registry, upstream, problem);
  auto previous = entries_.Peek(key);  // expired, but it says what was logged last
  if (!problem.empty() && (!previous || previous->value.problem != problem)) {
    Log(LogLevel::kError, "registry hosts folder", {{"registry", registry}, {"problem", problem}});
  }
  entries_.Put(key, Entry{hosts, problem}, recheck_);
  return hosts;
}

}  // namespace pullguard::registry

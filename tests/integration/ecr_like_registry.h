// A registry with Bearer tokens (anonymous callers may pull public/ only; "reader" may pull
// private/), seen by pullguard under an ECR name through the nodes' hosts.toml, and the test
// credential provider plugin (tests/support/fake_credential_provider.cc) under two names: the
// harness of the node-credential tests (node_credentials_test, service_account_token_test,
// parity_test). No network: every name maps to 127.0.0.1.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "integration/bearer_registry.h"
#include "integration/registry_env.h"
#include "support/image_fixtures.h"
#include "support/temp_dir.h"

namespace pullguard::testing {

inline constexpr const char* kEcr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

// A registry with Bearer tokens (anonymous for public/ only; "reader" may pull private/), seen
// by pullguard under the ECR name through hosts.toml.
struct EcrLikeRegistry : BearerRegistry {
  std::string hosts_dir = dir.File("certs.d");
  std::string bin_dir = dir.File("plugins");
  std::string exec_log = dir.File("plugin-runs.log");

  EcrLikeRegistry() {
    PushSingle(registry, "private/app", "1.0", "linux/amd64");
    std::filesystem::create_directories(hosts_dir + "/" + kEcr);
    std::ofstream(hosts_dir + "/" + kEcr + "/hosts.toml")
        << "server = \"https://" << registry.host() << "\"\nca = \"" << certs << "/ca.crt\"\n";
    std::filesystem::create_directories(bin_dir);
    std::filesystem::create_directories(dir.File("secrets"));
    for (const char* name : {"fake-ecr", "fake-other"}) {
      std::filesystem::create_symlink(PULLGUARD_TEST_PLUGIN, bin_dir + "/" + name);
    }
  }
  std::string Image(const std::string& rest) const { return std::string(kEcr) + "/" + rest; }

  // Another registry name the nodes' hosts.toml maps to `server` (host:port serving a
  // certificate of this CA), with the same settings in Policy().
  void MapName(const std::string& name, const std::string& server) {
    std::filesystem::create_directories(hosts_dir + "/" + name);
    std::ofstream(hosts_dir + "/" + name + "/hosts.toml")
        << "server = \"https://" << server << "\"\nca = \"" << certs << "/ca.crt\"\n";
    mapped_names_.push_back(name);
  }

  // The policy: the nodes' certs.d, and private addresses allowed for what it maps to.
  std::string Policy() const {
    std::string mapped;
    for (const auto& name : mapped_names_) {
      mapped += "  - host: \"" + name + "\"\n    allowPrivateAddress: true\n    caFile: " + certs + "/ca.crt\n";
    }
    return "hostsDir: " + hosts_dir + "\nregistries:\n  - host: \"" + kEcr +
           "\"\n    allowPrivateAddress: true\n    caFile: " + certs + "/ca.crt\n" + mapped + "  - host: \"127.0.0.1:*\"\n" +
           "    allowPrivateAddress: true\n    caFile: " + certs + "/ca.crt\nplatforms: [linux/amd64]\n";
  }

  // One provider of a CredentialProviderConfig: it runs the test plugin (bin_dir/name) with
  // `env`; `extra`: more of its YAML (tokenAttributes), indented as its fields.
  struct Provider {
    std::string name;
    std::map<std::string, std::string> env;
    std::string extra = "";
  };

  // A CredentialProviderConfig whose providers match the ECR names; each run is logged.
  std::string ProviderConfig(const std::vector<Provider>& providers) const {
    std::string text = "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n";
    for (const auto& p : providers) {
      text += "  - name: " + p.name + "\n    matchImages: [\"*.dkr.ecr.*.amazonaws.com\"]\n"
              "    defaultCacheDuration: \"5m\"\n    apiVersion: credentialprovider.kubelet.k8s.io/v1\n    env:\n";
      std::map<std::string, std::string> all = p.env;
      all.emplace("FAKE_PROVIDER_LOG", exec_log);
      for (const auto& [k, v] : all) text += "      - name: " + k + "\n        value: \"" + v + "\"\n";
      text += p.extra;
    }
    return dir.Write("provider-config-" + std::to_string(++configs_) + ".yaml", text);
  }

  size_t PluginRuns() const {
    std::ifstream in(exec_log);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
    return n;
  }

  mutable int configs_ = 0;
  std::vector<std::string> mapped_names_;
};

}  // namespace pullguard::testing

// Helpers for the registry integration tests: AdmissionReviews for pods, pull-secret files,
// and a test CA whose serving certificate the registries use.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "support/webhook_process.h"

namespace pullguard::testing {

// A Pod CREATE review in `ns` with one container per image.
nlohmann::json PodReview(const std::string& ns, const std::vector<std::string>& images,
                         const std::vector<std::string>& pull_secrets = {},
                         const std::map<std::string, std::string>& node_selector = {});

// A kubernetes.io/dockerconfigjson Secret manifest (YAML) for one registry.
std::string PullSecretYaml(const std::string& ns, const std::string& name, const std::string& registry,
                           const std::string& user, const std::string& password);

// The webhook's answer to a review: allowed, the denial lines and the warnings.
struct Decision {
  bool allowed = false;
  std::string message;
  std::vector<std::string> warnings;
  std::string All() const;  // message and warnings, for Contains checks
};
Decision Ask(const WebhookProcess& webhook, const nlohmann::json& review, const std::string& timeout = "10s");

// certs/gen-dev-certs.sh into dir/name: ca.crt, tls.crt, tls.key.
std::string MakeCerts(const TempDir& dir, const std::string& name);

// A CA and a client certificate it signed (extendedKeyUsage clientAuth), in `dir`:
// client-ca.crt, client.crt, client.key.
void MakeClientCerts(const TempDir& dir);

}  // namespace pullguard::testing

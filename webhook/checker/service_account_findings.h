// KEP-4412 from the manifest alone. A kubelet credential provider with tokenAttributes pulls with
// the pod's ServiceAccount, and the kubelet skips it for a pod (provide() in the kubelet's
// pkg/credentialprovider/plugin/plugin.go returns no credentials, without running the plugin)
// when that ServiceAccount lacks one of its requiredServiceAccountAnnotationKeys, does not
// exist, or when the pod has none and requireServiceAccount is true. The pull then goes on with
// the pod's other credentials, or anonymously: it fails only when the registry needs what that
// provider would have given, so these findings warn (ServiceAccountAnnotationMissing warns by
// default; a pod without a ServiceAccount is at most a warning). Annotation keys are named in
// the words, their values never.
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>

#include "auth/credential_provider_config.h"
#include "auth/node_credentials.h"
#include "checker/pod.h"
#include "common/finding.h"

namespace pullguard::checker {

// The finding for one use of an image that `provider` matches (by its matchImages), given the
// pod's ServiceAccount; nullopt when the kubelet uses the provider for this pod, when it has no
// tokenAttributes, or when pullguard cannot tell (the ServiceAccount could not be read, or its
// annotations are not known).
//   - a required annotation missing: ServiceAccountAnnotationMissing;
//   - the ServiceAccount does not exist: ServiceAccountMissing;
//   - the pod has none and requireServiceAccount is true: ServiceAccountMissing, at most a warning.
std::optional<Finding> TokenProviderFinding(const ImageUse& use, const std::string& normalized,
                                            const auth::CredentialProviderSpec& provider,
                                            const auth::PodServiceAccount& account);

}  // namespace pullguard::checker

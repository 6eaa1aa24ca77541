#include "auth/provider_presets.h"

#include "auth/keyring.h"

namespace pullguard::auth {

const std::vector<ProviderPreset>& BuiltinProviderPresets() {
  static const std::vector<ProviderPreset>* const presets = new std::vector<ProviderPreset>{
      // The EKS AMI's ecr-credential-provider config: awslabs/amazon-eks-ami,
      // nodeadm/internal/kubelet/image-credential-provider.template.json and the matchImages
      // list in nodeadm/internal/kubelet/image-credential-provider.go ("public.ecr.aws" added
      // for kubelets 1.27+). kubernetes/cloud-provider-aws docs/credential_provider.md shows the
      // first two patterns. Standard, dual-stack (on.aws), China, FIPS, the isolated partitions
      // (C2S us-iso-*, SC2S us-isob-*, us-isof/isoe: csp.hci.ic.gov, cloud.adc-e.uk) and the
      // European Sovereign Cloud (amazonaws.eu).
      {"ecr-credential-provider",
       {"*.dkr.ecr.*.amazonaws.com", "*.dkr-ecr.*.on.aws", "*.dkr.ecr.*.amazonaws.com.cn",
        "*.dkr-ecr.*.on.amazonwebservices.com.cn", "*.dkr.ecr-fips.*.amazonaws.com", "*.dkr-ecr-fips.*.on.aws",
        "*.dkr.ecr.*.c2s.ic.gov", "*.dkr.ecr.*.sc2s.sgov.gov", "*.dkr.ecr.*.cloud.adc-e.uk",
        "*.dkr.ecr.*.csp.hci.ic.gov", "*.dkr.ecr.*.amazonaws.eu", "public.ecr.aws"}},
      // kubernetes/cloud-provider-gcp's auth-provider-gcp, as GCE and GKE nodes configure it
      // (cluster/gce/gci/configure-helper.sh, "configure-auth-provider-gcp").
      {"auth-provider-gcp", {"container.cloud.google.com", "gcr.io", "*.gcr.io", "*.pkg.dev"}},
      // kubernetes-sigs/cloud-provider-azure's acr-credential-provider (containerRegistryUrls in
      // pkg/credentialprovider/azure_credentials.go; the AKS node config uses the same list, and
      // newer ones add geo-replicas, REGISTRY.REGION.geo.azurecr.io: '*' is one label).
      {"acr-credential-provider",
       {"*.azurecr.io", "*.azurecr.cn", "*.azurecr.de", "*.azurecr.us", "*.*.geo.azurecr.io"}},
  };
  return *presets;
}

const ProviderPreset* PresetMatching(std::string_view image) {
  const std::string target(image);
  for (const auto& preset : BuiltinProviderPresets()) {
    for (const auto& glob : preset.match_images) {
      if (UrlsMatch(glob, target)) return &preset;
    }
  }
  return nullptr;
}

}  // namespace pullguard::auth

// KEP-4412 from the manifest alone: a credential provider with tokenAttributes that the kubelet
// skips for the pod's ServiceAccount (provide() in pkg/credentialprovider/plugin/plugin.go), and
// what the kubelet would send a provider it runs.
#include <catch2/catch.hpp>

#include "checker/service_account_findings.h"

namespace pullguard::checker {
namespace {

using auth::CredentialProviderSpec;
using auth::PodServiceAccount;
using auth::ServiceAccountInfo;
using auth::TokenAttributes;
using auth::TokenProviderUse;

constexpr const char* kImage = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4";

CredentialProviderSpec Provider(std::vector<std::string> required, bool require_service_account = true,
                                std::vector<std::string> optional = {}) {
  CredentialProviderSpec spec;
  spec.name = "ecr-credential-provider";
  spec.match_images = {"*.dkr.ecr.*.amazonaws.com"};
  spec.api_version = std::string(auth::kCredentialProviderV1);
  TokenAttributes attrs;
  attrs.service_account_token_audience = "sts.amazonaws.com";
  attrs.require_service_account = require_service_account;
  attrs.required_service_account_annotation_keys = std::move(required);
  attrs.optional_service_account_annotation_keys = std::move(optional);
  spec.token_attributes = attrs;
  return spec;
}

PodServiceAccount Account(std::map<std::string, std::string> annotations, const std::string& name = "api") {
  PodServiceAccount account;
  account.ns = "shop";
  account.name = name;
  ServiceAccountInfo info;
  info.annotations = std::move(annotations);
  info.uid = "5f1c-uid";
  account.account = info;
  return account;
}

PodServiceAccount Missing() {
  PodServiceAccount account = Account({});
  account.account.reset();
  return account;
}

PodServiceAccount Unreadable() {
  PodServiceAccount account = Missing();
  account.unreadable = "the Kubernetes API forbids pullguard to get serviceaccounts in namespace shop (403)";
  return account;
}

PodServiceAccount Assumed() {
  PodServiceAccount account = Account({}, "default");
  account.account->assumed = true;
  return account;
}

TEST_CASE("a provider the kubelet skips for the pod's ServiceAccount is a finding with its field, key and fix") {
  workload::ImageUse use{"spec.template.spec.containers[0].image", kImage, ""};
  const std::string role = "eks.amazonaws.com/role-arn";
  const std::string secret_value = "arn:aws:iam::123456789012:role/shop-puller";
  struct Case {
    const char* name;
    CredentialProviderSpec provider;
    PodServiceAccount account;
    std::optional<std::string> line;  // nullopt: no finding
    bool at_most_warn = false;
  };
  CredentialProviderSpec plain = Provider({});
  plain.token_attributes.reset();
  CredentialProviderSpec v1beta1 = Provider({role});
  v1beta1.api_version = std::string(auth::kCredentialProviderV1beta1);
  PodServiceAccount no_account = Account({});
  no_account.name.clear();
  no_account.account.reset();
  const std::string path = std::string("spec.template.spec.containers[0].image \"") + kImage + "\": ";
  const Case cases[] = {
      {"the required annotation is missing", Provider({role}), Account({{"other.example/key", "x"}}),
       path + "ServiceAccountAnnotationMissing: credential provider ecr-credential-provider needs annotation " + role +
           " on ServiceAccount shop/api (without it the kubelet skips ecr-credential-provider for this pod); annotate "
           "ServiceAccount shop/api with " + role + ", or give the pod a pull secret"},
      {"two of three are missing: both named, in the config's order", Provider({"b.example/two", role, "a.example/one"}),
       Account({{role, secret_value}}),
       path + "ServiceAccountAnnotationMissing: credential provider ecr-credential-provider needs annotations "
              "b.example/two and a.example/one on ServiceAccount shop/api (without them the kubelet skips "
              "ecr-credential-provider for this pod); annotate ServiceAccount shop/api with b.example/two and "
              "a.example/one, or give the pod a pull secret"},
      {"the required annotation is there (with any value, even empty)", Provider({role}), Account({{role, ""}}),
       std::nullopt},
      {"only optional keys: nothing is required", Provider({}, true, {role}), Account({}), std::nullopt},
      {"the ServiceAccount does not exist", Provider({role}), Missing(),
       path + "ServiceAccountMissing: ServiceAccount shop/api does not exist, so the kubelet skips credential provider "
              "ecr-credential-provider (tokenAttributes) for this pod; create it (kubectl create serviceaccount api -n "
              "shop) or fix serviceAccountName"},
      {"a missing ServiceAccount fails the lookup whatever requireServiceAccount says", Provider({}, false), Missing(),
       path + "ServiceAccountMissing: ServiceAccount shop/api does not exist, so the kubelet skips credential provider "
              "ecr-credential-provider (tokenAttributes) for this pod; create it (kubectl create serviceaccount api -n "
              "shop) or fix serviceAccountName"},
      {"no ServiceAccount, and requireServiceAccount", Provider({}), no_account,
       path + "ServiceAccountMissing: the pod has no ServiceAccount and credential provider ecr-credential-provider "
              "requires one (tokenAttributes.requireServiceAccount), so the kubelet skips it; give the pod a pull secret",
       true},
      {"no ServiceAccount, requireServiceAccount false: run without a token", Provider({}, false), no_account,
       std::nullopt},
      {"the ServiceAccount could not be read: pullguard cannot tell", Provider({role}), Unreadable(), std::nullopt},
      {"check's assumed default ServiceAccount: its annotations are not known", Provider({role}), Assumed(),
       std::nullopt},
      {"no tokenAttributes: the kubelet runs it for the image alone", plain, Account({}), std::nullopt},
      {"tokenAttributes with another protocol than v1 is not the token mode", v1beta1, Account({}), std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    std::optional<Finding> f = TokenProviderFinding(use, "normalized", c.provider, c.account);
    REQUIRE(f.has_value() == c.line.has_value());
    if (!f) continue;
    CHECK(FormatFinding(*f) == *c.line);
    CHECK(f->normalized == "normalized");
    CHECK(f->at_most_warn == c.at_most_warn);
    CHECK_FALSE(f->action_fixed);
    // Keys are named, values never.
    CHECK(FormatFinding(*f).find(secret_value) == std::string::npos);
    CHECK(DefaultAction(f->reason) == Action::kWarn);
  }
}

TEST_CASE("what the kubelet does with a provider for a pod, and the annotations it would send") {
  const std::string role = "eks.amazonaws.com/role-arn";
  auto decide = [](const CredentialProviderSpec& spec, const PodServiceAccount& account) {
    return auth::DecideTokenProvider(spec, &account);
  };
  PodServiceAccount full = Account({{role, "arn:x"}, {"team.example/name", "payments"}, {"unlisted", "y"}});
  auto ready = decide(Provider({role}, true, {"team.example/name", "absent.example/key"}), full);
  CHECK(ready.use == TokenProviderUse::kReady);
  // The required and the optional keys it has; nothing else of the ServiceAccount.
  CHECK(ready.annotations == std::map<std::string, std::string>{{role, "arn:x"}, {"team.example/name", "payments"}});
  CHECK(ready.missing_keys.empty());

  auto missing = decide(Provider({role, "b.example/k"}), Account({{"b.example/k", "v"}}));
  CHECK(missing.use == TokenProviderUse::kAnnotationMissing);
  CHECK(missing.missing_keys == std::vector<std::string>{role});
  CHECK(missing.annotations.empty());

  CHECK(auth::DecideTokenProvider(Provider({role}), nullptr).use == TokenProviderUse::kUnknown);
  CHECK(decide(Provider({}), Assumed()).use == TokenProviderUse::kReady);  // nothing required: only the token matters
  CHECK(decide(Provider({role}), Unreadable()).use == TokenProviderUse::kUnknown);
  CHECK(decide(Provider({role}), Missing()).use == TokenProviderUse::kServiceAccountMissing);
  CredentialProviderSpec plain = Provider({});
  plain.token_attributes.reset();
  CHECK(auth::DecideTokenProvider(plain, nullptr).use == TokenProviderUse::kNoTokenAttributes);
  CHECK_FALSE(auth::UsesServiceAccountToken(plain));
  CHECK(auth::UsesServiceAccountToken(Provider({})));
}

}  // namespace
}  // namespace pullguard::checker

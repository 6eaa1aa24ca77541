#include <catch2/catch.hpp>

#include "common/reason.h"

namespace pullguard {
namespace {

TEST_CASE("reason names round-trip and carry DESIGN.md's default actions") {
  CHECK(AllReasons().size() == 22);
  CHECK(DefaultAction(Reason::kNodeCredentialsUnverified) == Action::kWarn);
  // The kubelet skips the provider and still pulls with the pod's secrets or anonymously.
  CHECK(DefaultAction(Reason::kServiceAccountAnnotationMissing) == Action::kWarn);
  for (Reason r : AllReasons()) {
    INFO(ReasonName(r));
    auto parsed = ParseReason(ReasonName(r));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == r);
  }
  CHECK(DefaultAction(Reason::kInvalidReference) == Action::kDeny);
  CHECK(DefaultAction(Reason::kRegistryUnreachable) == Action::kWarn);
  CHECK(DefaultAction(Reason::kRateLimited) == Action::kWarn);
  CHECK(DefaultAction(Reason::kPullSecretInvalid) == Action::kWarn);
  // pullguard chose not to ask: it must not deny.
  CHECK(DefaultAction(Reason::kRegistryAddressBlocked) == Action::kWarn);
  CHECK_FALSE(ParseReason("invalidreference").has_value());
}

}  // namespace
}  // namespace pullguard

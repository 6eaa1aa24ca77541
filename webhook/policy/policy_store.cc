#include "policy/policy_store.h"

#include "common/log.h"
#include "common/metrics.h"
#include "policy/policy_yaml.h"

namespace pullguard::policy {

PolicyStore::PolicyStore(Policy policy) : current_(std::make_shared<const Policy>(std::move(policy))) {}

PolicyStore::PolicyStore(std::string path, Policy policy, FileFingerprint fingerprint)
    : path_(std::move(path)),
      current_(std::make_shared<const Policy>(std::move(policy))),
      fingerprint_(std::move(fingerprint)) {}

Result<std::unique_ptr<PolicyStore>> PolicyStore::Open(const std::string& path) {
  ASSIGN_OR_RETURN(FileFingerprint fingerprint, Fingerprint(path));
  ASSIGN_OR_RETURN(Policy policy, LoadPolicyFile(path));
  return std::unique_ptr<PolicyStore>(new PolicyStore(path, std::move(policy), std::move(fingerprint)));
}

std::shared_ptr<const Policy> PolicyStore::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

Status PolicyStore::ReloadIfChanged() {
  if (path_.empty()) return Status::Ok();
  auto fingerprint = Fingerprint(path_);
  if (!fingerprint.ok()) {
    // Mid-swap a ConfigMap's file can vanish for an instant; keep the old policy.
    return fingerprint.status();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fingerprint.value() == fingerprint_) return Status::Ok();
  }
  auto policy = LoadPolicyFile(path_);
  std::lock_guard<std::mutex> lock(mutex_);
  // Remember the bad file too, so it is reported once, not at every poll.
  fingerprint_ = fingerprint.value();
  CountReload("policy", policy.ok());
  if (!policy.ok()) {
    Log(LogLevel::kError, "policy reload failed; the previous policy stays in force",
        {{"path", path_}, {"error", policy.status().message()}});
    return policy.status();
  }
  current_ = std::make_shared<const Policy>(std::move(policy).value());
  ++generation_;
  Log(LogLevel::kInfo, "policy reloaded", {{"path", path_}, {"generation", generation_.load()}});
  return Status::Ok();
}

}  // namespace pullguard::policy

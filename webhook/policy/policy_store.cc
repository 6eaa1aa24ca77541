#include "policy/policy_store.h"

#include "policy/policy_yaml.h"

namespace pullguard::policy {
namespace {

// Only comments, blank lines and document markers: what a truncated file looks like.
bool HasNoContent(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#' && line.substr(first) != "---" &&
        line.substr(first) != "...") {
      return false;
    }
    start = end + 1;
  }
  return true;
}

Result<std::shared_ptr<const Policy>> LoadPolicy(const std::vector<std::string>& paths, bool first) {
  const std::string& path = paths.front();
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1 << 20));
  if (!first && HasNoContent(text)) {
    return Status::InvalidArgument(path + ": the file became empty (a writer that truncates before it writes?); "
                                   "an empty policy would turn the real one off");
  }
  ASSIGN_OR_RETURN(Policy policy, ParsePolicy(text, path));
  return std::make_shared<const Policy>(std::move(policy));
}

}  // namespace

PolicyStore::PolicyStore(Policy policy) : fixed_(std::make_shared<const Policy>(std::move(policy))) {}

Result<std::unique_ptr<PolicyStore>> PolicyStore::Open(const std::string& path) {
  std::unique_ptr<PolicyStore> store(new PolicyStore(Policy{}));
  store->file_ = std::make_unique<ReloadingValue<Policy>>("policy", std::vector<std::string>{path}, &LoadPolicy);
  RETURN_IF_ERROR(store->file_->Load());
  return store;
}

std::shared_ptr<const Policy> PolicyStore::Current() const { return file_ ? file_->Current() : fixed_; }

Status PolicyStore::ReloadIfChanged() { return file_ ? file_->ReloadIfChanged() : Status::Ok(); }

const std::string& PolicyStore::path() const {
  static const std::string kNone;
  return file_ ? file_->paths().front() : kNone;
}

}  // namespace pullguard::policy

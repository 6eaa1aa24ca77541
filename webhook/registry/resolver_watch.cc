#include "registry/resolver_watch.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

namespace pullguard::registry {

bool NeedsLookup(const std::string& host) {
  if (host.empty() || host.front() == '[') return false;
  std::string name = host;
  if (size_t colon = name.rfind(':'); colon != std::string::npos && name.find(':') == colon) name = name.substr(0, colon);
  if (name == "localhost" || name.find(':') != std::string::npos) return false;
  in_addr v4{};
  return inet_pton(AF_INET, name.c_str(), &v4) != 1;
}

ProbeResult ResolverWatch::Probe(const ProbeTarget& target) {
  ProbeResult result = inner_.Probe(target);
  Note(target, result);
  return result;
}

void ResolverWatch::Note(const ProbeTarget& target, const ProbeResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  const Failure& f = result.failure;
  if (result.outcome == Outcome::kFailed && f.problem == Problem::kNone && f.transport == TransportError::kDns) {
    if (f.ResolverFailed()) failed_.emplace(f.host, f.resolver_code);
    return;
  }
  // Any other answer came over a connection to the host that answered: this machine resolved
  // its name, unless it needed no lookup or went through a proxy.
  std::string host = !result.host.empty() ? result.host : f.host;
  if (!NeedsLookup(host)) return;
  if (result.outcome == Outcome::kFailed && (f.problem != Problem::kNone || !f.proxy.empty())) return;
  for (const auto& h : target.hosts) {
    if (h.host != host) continue;
    if (target.proxy != nullptr && !target.proxy->ProxyFor(h.scheme + "://" + h.host + "/").empty()) return;
  }
  resolved_.insert(host);
}

bool ResolverWatch::MachineCannotResolve() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !failed_.empty() && resolved_.empty();
}

std::string ResolverWatch::Failures() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string names;
  int shown = 0;
  for (const auto& [host, code] : failed_) {
    if (shown == 3) {
      names += ", ...";
      break;
    }
    names += (shown++ == 0 ? "" : ", ") + host;
  }
  if (failed_.empty()) return names;
  int code = failed_.begin()->second;
  std::string why = code == EAI_NONAME ? "the resolver says these public registries do not exist" : gai_strerror(code);
  return names + ": " + why;
}

}  // namespace pullguard::registry

// WWW-Authenticate parsing (RFC 7235): several challenges in one header or many headers,
// parameters with quoted values and escapes, e.g.
//   Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a:pull"
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace pullguard::registry {

struct Challenge {
  std::string scheme;                         // lowercased: "bearer", "basic"
  std::map<std::string, std::string> params;  // names lowercased
};

std::vector<Challenge> ParseChallenges(const std::vector<std::string>& header_values);

}  // namespace pullguard::registry

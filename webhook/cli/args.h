// Args: a small flag parser for the subcommands ("--flag value", "--flag=value", "-f value",
// repeated flags, positionals). Unknown flags are errors that name the flag.
// Thread-safety: value type.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace pullguard::cli {

struct FlagSpec {
  std::string name;        // "policy" for --policy
  std::string short_name;  // "f" for -f, or ""
  bool takes_value = true;
};

struct Args {
  std::map<std::string, std::vector<std::string>> values;  // flag -> every value given
  std::set<std::string> switches;                           // boolean flags given
  std::vector<std::string> positional;

  bool Has(const std::string& flag) const { return values.count(flag) > 0 || switches.count(flag) > 0; }
  // The last value of a flag, or `fallback`.
  std::string Get(const std::string& flag, const std::string& fallback = "") const;
};

Result<Args> ParseArgs(const std::vector<std::string>& argv, const std::vector<FlagSpec>& specs);

}  // namespace pullguard::cli

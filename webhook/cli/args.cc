#include "cli/args.h"

#include <iostream>

#include "cli/commands.h"
#include "common/log.h"

namespace pullguard::cli {

std::string Args::Get(const std::string& flag, const std::string& fallback) const {
  auto it = values.find(flag);
  return it == values.end() || it->second.empty() ? fallback : it->second.back();
}

Result<Args> ParseArgs(const std::vector<std::string>& argv, const std::vector<FlagSpec>& specs) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "-" || arg.empty() || arg[0] != '-') {
      args.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string inline_value;
    bool has_inline = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_inline = true;
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name || (!s.short_name.empty() && s.short_name == name)) spec = &s;
    }
    if (spec == nullptr) return Status::InvalidArgument("unknown flag " + arg + " (see --help)");
    if (!spec->takes_value) {
      if (has_inline) return Status::InvalidArgument("--" + spec->name + " takes no value");
      args.switches.insert(spec->name);
      continue;
    }
    if (has_inline) {
      args.values[spec->name].push_back(inline_value);
    } else if (i + 1 < argv.size()) {
      args.values[spec->name].push_back(argv[++i]);
    } else {
      return Status::InvalidArgument("--" + spec->name + " needs a value");
    }
  }
  return args;
}

int Fail(std::string_view command, const std::string& message, int code) {
  FlushLog();
  std::cerr << "pullguard " << command << ": " << message << "\n";
  return code;
}

}  // namespace pullguard::cli

// WWW-Authenticate headers as registries answer them: one header value a line.
#include <cstdint>
#include <string>
#include <vector>

#include "registry/challenge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> values;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    values.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  (void)pullguard::registry::ParseChallenges(values);
  return 0;
}

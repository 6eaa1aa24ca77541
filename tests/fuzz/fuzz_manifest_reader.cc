// `pullguard check`'s reader: multi-document YAML (anchors, merge keys, lists of objects) to
// Kubernetes objects with line numbers, and their pod specs.
#include <cstdint>
#include <string>

#include "workload/kinds.h"
#include "cli/manifest_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto set = pullguard::cli::ReadManifestText(text, "fuzz.yaml");
  for (const auto& object : set.objects) {
    (void)object.LineOf("spec.template.spec.containers[0].image");
    const auto& api = object.object["apiVersion"];
    const auto& kind = object.object["kind"];
    if (!api.is_string() || !kind.is_string()) continue;
    std::string a = api.get<std::string>();
    std::string group = a.find('/') == std::string::npos ? "" : a.substr(0, a.find('/'));
    (void)pullguard::workload::PodOfObject(group, kind.get<std::string>(), object.object);
  }
  return 0;
}

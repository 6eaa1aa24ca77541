// Image references as pods write them: the grammar, normalization, and the words of errors.
#include <cstdint>
#include <string_view>

#include "reference/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto image = pullguard::reference::ParseImage(text);
  if (image.ok()) {
    (void)image->Normalized();
    (void)image->PullReference();
    (void)image->UsesLatest();
  }
  return 0;
}

// AdmissionReview bodies as the API server (or anyone reaching the port) sends them: decoded,
// then the object's pod spec found and decoded for each kind pullguard knows.
#include <cstdint>
#include <string_view>

#include "admission/review.h"
#include "workload/kinds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto review = pullguard::admission::DecodeReview(body);
  if (!review.ok()) return 0;
  (void)pullguard::workload::PodOfObject(review->kind.group, review->kind.kind, review->object);
  if (!review->old_object.is_null()) {
    (void)pullguard::workload::ImagesOfObject(review->kind.group, review->kind.kind, review->old_object);
  }
  return 0;
}

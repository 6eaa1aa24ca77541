#include "reference/image.h"

namespace pullguard::reference {

std::string Image::PullReference() const {
  if (!ref.digest.empty()) return ref.digest;
  return ref.tag.empty() ? std::string(kDefaultTag) : ref.tag;
}

std::string Image::Normalized() const {
  if (!ref.digest.empty()) return ref.Name() + "@" + ref.digest;
  return TagNameOnly(ref).String();
}

bool Image::UsesLatest() const {
  if (!ref.digest.empty()) return false;
  return ref.tag.empty() || ref.tag == kDefaultTag;
}

Expected<Image> ParseImage(std::string_view written) {
  if (written.empty()) return MakeError(ErrorKind::kNameEmpty, "the image is empty");
  if (written.size() > kMaxImageLength) {
    return MakeError(ErrorKind::kReferenceInvalidFormat,
                     "the image is " + std::to_string(written.size()) + " characters long, more than " +
                         std::to_string(kMaxImageLength));
  }
  auto named = ParseNormalizedNamed(written);
  if (!named.ok()) return named.error();
  return Image{named.value()};
}

}  // namespace pullguard::reference

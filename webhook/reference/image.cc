#include "reference/image.h"

#include <algorithm>

namespace pullguard::reference {
namespace {

bool HasUppercase(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

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
  size_t slash = written.find('/');
  if (slash != std::string_view::npos) {
    std::string_view head = written.substr(0, slash);
    if (head.find_first_of(".:") == std::string_view::npos && head != "localhost" && HasUppercase(head)) {
      return MakeError(ErrorKind::kNameContainsUppercase,
                       "repository name must be lowercase (\"" + std::string(head) +
                           "\" has no '.' or ':', so it is no registry host)");
    }
  }
  auto named = ParseNormalizedNamed(written);
  if (!named.ok()) return named.error();
  return Image{named.value()};
}

}  // namespace pullguard::reference

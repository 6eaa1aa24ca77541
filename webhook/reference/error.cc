#include "reference/error.h"

namespace pullguard::reference {

const char* UpstreamMessage(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kReferenceInvalidFormat:
      return "invalid reference format";
    case ErrorKind::kTagInvalidFormat:
      return "invalid tag format";
    case ErrorKind::kDigestInvalidFormat:
      return "invalid digest format";
    case ErrorKind::kNameContainsUppercase:
      return "repository name must be lowercase";
    case ErrorKind::kNameEmpty:
      return "repository name must have at least one component";
    case ErrorKind::kNameTooLong:
      return "repository name must not be more than 255 characters";
    case ErrorKind::kNameNotCanonical:
      return "repository name must be canonical";
    case ErrorKind::kChecksumInvalidFormat:
      return "invalid checksum digest format";
    case ErrorKind::kChecksumInvalidLength:
      return "invalid checksum digest length";
    case ErrorKind::kDigestUnsupported:
      return "unsupported digest algorithm";
    case ErrorKind::kNameIsIdentifier:
      return "invalid repository name, cannot specify 64-byte hexadecimal strings";
  }
  return "invalid reference format";
}

Error MakeError(ErrorKind kind, std::string detail) {
  return Error{kind, UpstreamMessage(kind), std::move(detail)};
}

}  // namespace pullguard::reference

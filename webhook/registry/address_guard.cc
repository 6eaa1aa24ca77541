#include "registry/address_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace pullguard::registry {
namespace {

std::optional<std::string> Ipv4Kind(uint32_t a) {  // host byte order
  auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x7f000000, 8)) return "loopback";
  if (in(0xa9fe0000, 16)) return "link-local (cloud metadata)";
  if (in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16)) return "private";
  if (in(0x64400000, 10)) return "carrier-grade NAT";
  if (in(0x00000000, 8)) return "unspecified";
  if (in(0xe0000000, 4) || in(0xf0000000, 4)) return "multicast or reserved";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> RestrictedAddressKind(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return Ipv4Kind(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    const uint8_t* b = v6->sin6_addr.s6_addr;
    static const uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t kUnspecified[16] = {};
    if (std::memcmp(b, kLoopback, 16) == 0) return "loopback";
    if (std::memcmp(b, kUnspecified, 16) == 0) return "unspecified";
    // IPv4-mapped (::ffff:a.b.c.d): judge the IPv4 address.
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(b, kMapped, 12) == 0) {
      return Ipv4Kind((uint32_t(b[12]) << 24) | (uint32_t(b[13]) << 16) | (uint32_t(b[14]) << 8) | b[15]);
    }
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";
    if ((b[0] & 0xfe) == 0xfc) {
      // fd00:ec2::254 is AWS's instance metadata service; the rest of fc00::/7 is private.
      static const uint8_t kAwsMetadata[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
      if (std::memcmp(b, kAwsMetadata, 16) == 0) return "link-local (cloud metadata)";
      return "private (unique local)";
    }
    if (b[0] == 0xff) return "multicast";
    return std::nullopt;
  }
  return "not an IP address";
}

std::string AddressText(const sockaddr* address) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, buf, sizeof buf);
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

std::optional<std::string> RestrictedLiteral(const std::string& host) {
  std::string address = host;
  if (!address.empty() && address.front() == '[') {
    size_t close = address.find(']');
    address = close == std::string::npos ? "" : address.substr(1, close - 1);
  } else if (size_t colon = address.rfind(':'); colon != std::string::npos && address.find(':') == colon) {
    address = address.substr(0, colon);
  }
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
  } else {
    return std::nullopt;  // a name
  }
  const auto* any = reinterpret_cast<const sockaddr*>(&storage);
  auto kind = RestrictedAddressKind(any);
  if (!kind) return std::nullopt;
  return AddressText(any) + " (" + *kind + ")";
}

}  // namespace pullguard::registry

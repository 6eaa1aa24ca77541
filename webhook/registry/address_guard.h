// Which addresses a registry or token realm may resolve to. Checked at connect time, after
// DNS, so a public name that resolves to 169.254.169.254 is caught too.
// Thread-safety: pure functions.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

namespace pullguard::registry {

// Why the address is refused without an explicit allowance ("loopback", "link-local (cloud
// metadata)", "private", ...), or nullopt for an ordinary public address.
std::optional<std::string> RestrictedAddressKind(const sockaddr* address);

// The address as text, e.g. "127.0.0.1" or "fd00:ec2::254".
std::string AddressText(const sockaddr* address);

}  // namespace pullguard::registry

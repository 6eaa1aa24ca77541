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

// For a host written as an address ("10.1.2.3:5000", "[fd00::1]:5000"): "10.1.2.3 (private)"
// when it is refused without an explicit allowance; nullopt for a name or a public address.
// Through a proxy pullguard never resolves the registry's name, but an address written in the
// image is still known without asking anyone.
std::optional<std::string> RestrictedLiteral(const std::string& host);

}  // namespace pullguard::registry

// The image-reference grammar of github.com/distribution/reference, as hand-written matchers
// (no std::regex: it recurses per character and is slow). Each piece is one named rule:
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [domain-and-port "/"] remote-name
//   domain-and-port  := host [ ":" port ]
//   host             := domain-name | "[" ipv6-chars "]"          ; IPv4 is a domain-name
//   domain-name      := domain-component [ "." domain-component ]*
//   domain-component := /[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]/
//   port             := /[0-9]+/
//   remote-name      := path-component [ "/" path-component ]*
//   path-component   := alnum [ separator alnum ]*
//   alnum            := /[a-z0-9]+/
//   separator        := /[_.]|__|[-]+/
//   tag              := /[\w][\w.-]{0,127}/
//   digest           := algorithm ":" /[0-9a-fA-F]{32,}/
//   algorithm        := component [ /[-_+.]/ component ]*  ; component := /[A-Za-z][A-Za-z0-9]*/
//   identifier       := /[a-f0-9]{64}/
//
// Every function matches the whole of its input (anchored). Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace pullguard::reference {

bool IsDomainComponent(std::string_view s);
bool IsDomainName(std::string_view s);
bool IsDomainAndPort(std::string_view s);
bool IsPathComponent(std::string_view s);
bool IsRemoteName(std::string_view s);
bool IsTag(std::string_view s);
bool IsDigestPattern(std::string_view s);
bool IsIdentifier(std::string_view s);

// name := [domain-and-port "/"] remote-name, with the domain taken whenever it can be
// (the regexp's greedy optional group). On success sets `domain` (maybe empty) and `remote`.
bool MatchName(std::string_view s, std::string_view* domain, std::string_view* remote);

// reference := name [":" tag] ["@" digest]. On success sets the three parts (absent = empty).
bool MatchReference(std::string_view s, std::string_view* name, std::string_view* tag,
                    std::string_view* digest);

}  // namespace pullguard::reference

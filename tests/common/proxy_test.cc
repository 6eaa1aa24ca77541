// Proxies as the nodes' containerd picks them (Go's http.ProxyFromEnvironment): which URL
// goes through which proxy, NO_PROXY's forms, and the settings' problems in words.
#include <catch2/catch.hpp>

#include <map>

#include "common/proxy.h"

namespace pullguard {
namespace {

TEST_CASE("the environment is read as Go reads it: upper case first, the first that is not empty") {
  std::map<std::string, std::string> env{{"HTTPS_PROXY", ""}, {"https_proxy", "http://lower:3128"},
                                         {"HTTP_PROXY", "http://upper:80"}, {"http_proxy", "http://ignored:80"},
                                         {"no_proxy", ".internal"}};
  ProxySettings s = ProxySettingsFromEnvironment([&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  CHECK(s.https_proxy == "http://lower:3128");
  CHECK(s.http_proxy == "http://upper:80");
  CHECK(s.no_proxy == ".internal");
  CHECK(ProxySettingsFromEnvironment([](const char*) -> const char* { return nullptr; }).empty());
}

TEST_CASE("which URL goes through which proxy: Go's rules, NO_PROXY in each of its forms") {
  ProxyRules rules(ProxySettings{"proxy.corp:3128", "http://plain.corp:8080",
                                 "example.com, .sub.org, *.star.net, 10.0.0.0/8, 192.168.1.5:5000, "
                                 "registry.internal:5000, [fd00::1], ::2"});
  const std::string https = "http://proxy.corp:3128", http = "http://plain.corp:8080";
  struct Case {
    const char* url;
    std::string proxy;
  };
  const Case cases[] = {
      {"https://gcr.io/v2/", https},  // https through HTTPS_PROXY, written without a scheme
      {"http://gcr.io/v2/", http},    // http through HTTP_PROXY
      // Never through a proxy: localhost and loopback addresses.
      {"https://localhost:5000/v2/", ""},
      {"https://LOCALHOST/v2/", ""},
      {"https://127.0.0.1:5000/v2/", ""},
      {"https://127.1.2.3/v2/", ""},
      {"https://[::1]:5000/v2/", ""},
      // A domain: itself and below it; a leading dot or "*.": below it only.
      {"https://example.com/v2/", ""},
      {"https://a.example.com/v2/", ""},
      {"https://Example.COM/v2/", ""},
      {"https://notexample.com/v2/", https},
      {"https://sub.org/v2/", https},
      {"https://x.sub.org/v2/", ""},
      {"https://star.net/v2/", https},
      {"https://a.star.net/v2/", ""},
      // CIDRs, addresses, with a port or without.
      {"https://10.2.3.4/v2/", ""},
      {"https://11.2.3.4/v2/", https},
      {"https://192.168.1.5:5000/v2/", ""},
      {"https://192.168.1.5/v2/", https},  // :443 is not :5000
      {"https://registry.internal:5000/v2/", ""},
      {"https://registry.internal/v2/", https},
      {"https://[fd00::1]:443/v2/", ""},
      {"https://[::2]/v2/", ""},
      {"ftp://gcr.io/", ""},
  };
  for (const auto& c : cases) {
    INFO(c.url);
    CHECK(rules.ProxyFor(c.url) == c.proxy);
  }
  // "*": nothing goes through the proxy.
  CHECK(ProxyRules(ProxySettings{"http://p:1", "", "*"}).ProxyFor("https://gcr.io/v2/").empty());
  // No fallback from https to HTTP_PROXY, as in Go.
  CHECK(ProxyRules(ProxySettings{"", "http://p:1", ""}).ProxyFor("https://gcr.io/v2/").empty());
  CHECK(ProxyRules(ProxySettings{}).ProxyFor("https://gcr.io/v2/").empty());
}

TEST_CASE("a proxy URL is normalized for libcurl with Go's defaults, and refused when Go could not use it") {
  struct Case {
    const char* value;
    std::string normalized;  // "" : an error
  };
  const Case cases[] = {
      {"proxy.corp:3128", "http://proxy.corp:3128"},
      {"http://proxy.corp", "http://proxy.corp:80"},  // libcurl would take 1080
      {"https://proxy.corp", "https://proxy.corp:443"},
      {"socks5://proxy.corp", "socks5h://proxy.corp:1080"},  // the proxy resolves names, as with Go
      {"HTTP://user:pw@Proxy:8080/", "http://user:pw@Proxy:8080"},
      {"[fd00::1]:3128", "http://[fd00::1]:3128"},
      {"ftp://proxy.corp", ""},
      {"http://proxy.corp/path", ""},
      {"http://", ""},
      {"fd00::1:3128", ""},
      {"http://proxy.corp:99999", ""},
  };
  for (const auto& c : cases) {
    INFO(c.value);
    auto n = NormalizeProxyUrl(c.value);
    CHECK(n.ok() == !c.normalized.empty());
    if (n.ok()) CHECK(n.value() == c.normalized);
  }
  CHECK(RedactProxyUrl("http://user:pw@proxy:3128") == "http://proxy:3128");
  CHECK(RedactProxyUrl("user:pw@proxy:3128") == "proxy:3128");
  CHECK(RedactProxyUrl("http://proxy:3128") == "http://proxy:3128");
  // Credentials never reach a message.
  auto bad = NormalizeProxyUrl("ftp://user:secret@proxy");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("secret") == std::string::npos);
}

TEST_CASE("a proxy setting's problems name their field") {
  auto problems = ProxySettingsProblems({"ftp://x", "http://fine:1", "http://a.b, 10.0.0.0/33, 10.0.0.0/8, host.example:5000"},
                                        "proxy.httpsProxy", "proxy.httpProxy", "proxy.noProxy");
  REQUIRE(problems.size() == 3);
  CHECK(problems[0] == "proxy.httpsProxy: \"ftp://x\": the scheme must be http, https, socks5 or socks5h");
  CHECK(problems[1] == "proxy.noProxy: \"http://a.b\" has a URL scheme; write the host (and :port), e.g. a.b");
  CHECK(problems[2] == "proxy.noProxy: \"10.0.0.0/33\" is not a host, a domain or a CIDR such as 10.0.0.0/8");
  CHECK(ProxySettingsProblems({}, "a", "b", "c").empty());
}

TEST_CASE("a proxy that does not normalize is kept as written: the request fails, it never goes around it") {
  ProxyRules rules(ProxySettings{"ftp://proxy.corp", "", ""});
  CHECK(rules.ProxyFor("https://gcr.io/v2/") == "ftp://proxy.corp");
}

}  // namespace
}  // namespace pullguard

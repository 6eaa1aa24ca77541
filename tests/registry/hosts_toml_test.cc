// containerd's hosts.toml as pullguard reads it: the hosts in containerd's order with its
// defaults (https, /v2 appended, every capability), relative CA paths, headers, and errors
// that name the line; and the certs.d folder looked up under containerd's names.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "registry/hosts_dir.h"
#include "registry/hosts_toml.h"

namespace pullguard::registry {
namespace {

std::vector<HostsTomlHost> Parse(const std::string& text) {
  auto hosts = ParseHostsToml(text, "/etc/containerd/certs.d/docker.io");
  INFO((hosts.ok() ? std::string() : hosts.status().message()));
  REQUIRE(hosts.ok());
  return hosts.value();
}

std::string ParseError(const std::string& text) {
  auto hosts = ParseHostsToml(text, "/d");
  REQUIRE_FALSE(hosts.ok());
  return hosts.status().message();
}

TEST_CASE("hosts.toml: mirrors in file order, then the server, with containerd's defaults") {
  auto hosts = Parse(R"(# the nodes' docker.io
server = "https://registry-1.docker.io"

[host."https://mirror-b.local:5000"]
  capabilities = ["pull", "resolve"]
  ca = "mirror-ca.pem"

[host."http://mirror-a.local"]   # plain http, listed second
  capabilities = ["pull"]
  skip_verify = true
)");
  REQUIRE(hosts.size() == 3);
  CHECK(hosts[0].scheme == "https");
  CHECK(hosts[0].host == "mirror-b.local:5000");
  CHECK(hosts[0].path == "/v2");
  CHECK(hosts[0].can_resolve);
  CHECK(hosts[0].ca_files == std::vector<std::string>{"/etc/containerd/certs.d/docker.io/mirror-ca.pem"});
  CHECK(hosts[1].scheme == "http");
  CHECK(hosts[1].host == "mirror-a.local");
  CHECK(hosts[1].can_pull);
  CHECK_FALSE(hosts[1].can_resolve);  // asked for digests only, as containerd does
  CHECK(hosts[1].skip_verify);
  CHECK(hosts[2].host == "registry-1.docker.io");
  CHECK(hosts[2].can_pull);
  CHECK(hosts[2].can_resolve);  // no capabilities listed: all of them
}

TEST_CASE("hosts.toml: without server the last host is the image's registry itself") {
  auto hosts = Parse("[host.\"mirror.local\"]\n");
  REQUIRE(hosts.size() == 2);
  CHECK(hosts[0].scheme == "https");  // no scheme: https, as containerd
  CHECK(hosts[0].host == "mirror.local");
  CHECK(hosts[1].scheme.empty());
  CHECK(hosts[1].host.empty());
  // Only a server, no mirror.
  auto only = Parse("server = \"registry.example.com:8443\"\n");
  REQUIRE(only.size() == 1);
  CHECK(only[0].host == "registry.example.com:8443");
  CHECK(only[0].path == "/v2");
}

TEST_CASE("hosts.toml: paths get /v2 unless override_path says the URL is the API root") {
  auto hosts = Parse(R"([host."https://proxy.local/cache/docker//"]
[host."https://proxy.local/v2"]
[host."https://artifactory.local/artifactory/api/docker/hub/v2/"]
  override_path = true
[host."https://weird.local/api"]
  override_path = true
)");
  REQUIRE(hosts.size() == 5);
  CHECK(hosts[0].path == "/cache/docker/v2");
  CHECK(hosts[1].path == "/v2");
  CHECK(hosts[2].path == "/artifactory/api/docker/hub/v2");
  CHECK(hosts[3].path == "/api");
}

TEST_CASE("hosts.toml: headers, CA lists over lines, top-level keys for the server, comments in strings") {
  auto hosts = Parse(R"(server = "https://registry.local"
ca = ["/abs/root.pem",
      "rel.pem"]   # two files
[header]
  x-root = "r"
[host."https://mirror.local"]
  capabilities = [
    "pull",
    "resolve",
  ]
  [host."https://mirror.local".header]
    x-token = "a#b"
    x-multi = ["1", "2"]
)");
  REQUIRE(hosts.size() == 2);
  CHECK(hosts[0].headers == std::vector<std::pair<std::string, std::string>>{{"x-token", "a#b"}, {"x-multi", "1"}, {"x-multi", "2"}});
  CHECK(hosts[0].can_pull);
  CHECK(hosts[0].can_resolve);
  CHECK(hosts[1].ca_files == std::vector<std::string>{"/abs/root.pem", "/etc/containerd/certs.d/docker.io/rel.pem"});
  CHECK(hosts[1].headers == std::vector<std::pair<std::string, std::string>>{{"x-root", "r"}});
}

TEST_CASE("hosts.toml: what does not parse is an error naming the line") {
  CHECK_THAT(ParseError("server = \"https://r\"\n[mirrors]\n"), Catch::Contains("line 2: unknown table [mirrors]"));
  CHECK_THAT(ParseError("[host.\"https://m\"]\ncapabilities = [\"pull\", \"fly\"]\n"),
             Catch::Contains("line 2: unknown capability \"fly\""));
  CHECK_THAT(ParseError("skip_verify = \"yes\"\n"), Catch::Contains("line 1: skip_verify must be true or false"));
  CHECK_THAT(ParseError("\n\nca = [\"a.pem\",\n"), Catch::Contains("line 3: an array is not closed"));
  CHECK_THAT(ParseError("[host.\"https://m\"]\n[host.\"https://m\"]\n"), Catch::Contains("line 2: [host.\"https://m\"] is given twice"));
  CHECK_THAT(ParseError("[host.\"ftp://m\"]\n"), Catch::Contains("is not an http(s) URL"));
  CHECK_THAT(ParseError("server\n"), Catch::Contains("line 1: expected key = value"));
  CHECK_THAT(ParseError("[host.\"https://m\"]\nserver = \"https://x\"\n"), Catch::Contains("server belongs at the top level"));
}

TEST_CASE("hosts.toml: client certificates in containerd's three forms, and dial_timeout as a Go duration") {
  auto hosts = Parse(R"(server = "https://registry.local"
client = "both.pem"
dial_timeout = "1m30s"

[host."https://m1.local"]
  client = ["/abs/one.pem", "two.pem"]
  dial_timeout = "500ms"

[host."https://m2.local"]
  client = [["c.crt", "c.key"],
            ["/abs/d.crt", ""]]   # a pair over two lines; "" is the key in the certificate's file
)");
  REQUIRE(hosts.size() == 3);
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  const std::string dir = "/etc/containerd/certs.d/docker.io/";
  CHECK(hosts[0].client_pairs == Pairs{{"/abs/one.pem", ""}, {dir + "two.pem", ""}});
  CHECK(hosts[0].dial_timeout == std::chrono::milliseconds(500));
  CHECK(hosts[1].client_pairs == Pairs{{dir + "c.crt", dir + "c.key"}, {"/abs/d.crt", ""}});
  CHECK_FALSE(hosts[1].dial_timeout.has_value());
  CHECK(hosts[2].client_pairs == Pairs{{dir + "both.pem", ""}});
  CHECK(hosts[2].dial_timeout == std::chrono::milliseconds(90000));

  CHECK(Parse("dial_timeout = \"1.5s\"\n")[0].dial_timeout == std::chrono::milliseconds(1500));
  CHECK(Parse("dial_timeout = \"2h\"\n")[0].dial_timeout == std::chrono::milliseconds(7200000));
  CHECK_THAT(ParseError("dial_timeout = \"10\"\n"), Catch::Contains("line 1: dial_timeout \"10\" is not a duration"));
  CHECK_THAT(ParseError("dial_timeout = \"soon\"\n"), Catch::Contains("is not a duration"));
  CHECK_THAT(ParseError("client = [[\"only-one.pem\"]]\n"), Catch::Contains("line 1: a client pair is [\"cert.pem\", \"key.pem\"]"));
  CHECK_THAT(ParseError("client = true\n"), Catch::Contains("client must be a file"));
  CHECK_THAT(ParseError("ca = [[\"a.pem\"]]\n"), Catch::Contains("line 1: ca must be a string or an array of strings"));
}

TEST_CASE("certs.d folders are found under containerd's names: host_port_, host:port, _default") {
  CHECK(HostsFolderNames("registry.local:5000") ==
        std::vector<std::string>{"registry.local_5000_", "registry.local:5000", "_default"});
  CHECK(HostsFolderNames("docker.io") == std::vector<std::string>{"docker.io", "_default"});
}

void WriteFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

struct Dir {
  std::string path = [] {
    char tmpl[] = "/tmp/pullguard-hosts-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  ~Dir() { std::filesystem::remove_all(path); }
};

RegistryHost Upstream(const std::string& registry) {
  RegistryHost h = UpstreamHost(registry, false);
  h.allow_private = true;  // a policy setting that carries over
  return h;
}

TEST_CASE("a certs.d folder gives the hosts containerd would ask, and nothing for registries without one") {
  Dir d;
  WriteFile(d.path + "/registry.local_5000_/hosts.toml", "[host.\"https://mirror.local\"]\n  ca = \"m.pem\"\n");
  WriteFile(d.path + "/registry.local_5000_/m.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  WriteFile(d.path + "/registry.local:5000/hosts.toml", "this folder is not read: the _port_ one comes first\n");
  HostsDirectory dir;
  auto hosts = dir.HostsFor(d.path, "registry.local:5000", Upstream("registry.local:5000"));
  REQUIRE(hosts);
  REQUIRE(hosts->size() == 2);
  CHECK((*hosts)[0].host == "mirror.local");
  CHECK((*hosts)[0].is_mirror);
  REQUIRE((*hosts)[0].extra_ca_pem != nullptr);
  CHECK_THAT(*(*hosts)[0].extra_ca_pem, Catch::Contains("MIIB"));
  CHECK((*hosts)[0].allow_private);
  CHECK((*hosts)[1].host == "registry.local:5000");
  CHECK_FALSE((*hosts)[1].is_mirror);
  CHECK_FALSE(dir.HostsFor(d.path, "ghcr.io", Upstream("ghcr.io")));
}

TEST_CASE("certs.d: _default serves the rest, Docker's *.crt layout adds CAs, a broken file falls back as containerd") {
  Dir d;
  WriteFile(d.path + "/_default/hosts.toml", "[host.\"https://everything-mirror.local\"]\n");
  WriteFile(d.path + "/docker.io/ca.crt", "-----BEGIN CERTIFICATE-----\nDOCKER\n-----END CERTIFICATE-----\n");
  WriteFile(d.path + "/broken.local/hosts.toml", "[host.\"https://m\"]\ncapabilities = [\"fly\"]\n");
  WriteFile(d.path + "/broken.local/extra.crt", "-----BEGIN CERTIFICATE-----\nBROKEN\n-----END CERTIFICATE-----\n");
  HostsDirectory dir;
  auto any = dir.HostsFor(d.path, "ghcr.io", Upstream("ghcr.io"));
  REQUIRE(any);
  REQUIRE(any->size() == 2);
  CHECK((*any)[0].host == "everything-mirror.local");
  CHECK((*any)[1].host == "ghcr.io");

  auto hub = dir.HostsFor(d.path, "docker.io", Upstream("docker.io"));
  REQUIRE(hub);
  REQUIRE(hub->size() == 1);
  CHECK((*hub)[0].host == "registry-1.docker.io");
  REQUIRE((*hub)[0].extra_ca_pem != nullptr);
  CHECK_THAT(*(*hub)[0].extra_ca_pem, Catch::Contains("DOCKER"));

  auto broken = dir.HostsFor(d.path, "broken.local", Upstream("broken.local"));
  REQUIRE(broken);
  REQUIRE(broken->size() == 1);  // containerd logs the error and asks the registry itself
  CHECK((*broken)[0].host == "broken.local");
  REQUIRE((*broken)[0].extra_ca_pem != nullptr);
  CHECK_THAT(*(*broken)[0].extra_ca_pem, Catch::Contains("BROKEN"));
}

TEST_CASE("certs.d: a client certificate from hosts.toml or from Docker's NAME.cert and NAME.key, for the host that names it") {
  Dir d;
  WriteFile(d.path + "/toml.local/hosts.toml",
            "server = \"https://toml.local\"\nclient = [[\"c.crt\", \"c.key\"]]\ndial_timeout = \"700ms\"\n\n"
            "[host.\"https://mirror.local\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
  WriteFile(d.path + "/docker.local/client.cert", "CERT");
  WriteFile(d.path + "/docker.local/client.key", "KEY");
  WriteFile(d.path + "/docker.local/keyless.cert", "CERT AND KEY");
  HostsDirectory dir;
  auto toml = dir.HostsFor(d.path, "toml.local", Upstream("toml.local"));
  REQUIRE(toml);
  REQUIRE(toml->size() == 2);
  CHECK((*toml)[0].client_cert.empty());  // the mirror names none
  CHECK((*toml)[1].client_cert == d.path + "/toml.local/c.crt");
  CHECK((*toml)[1].client_key == d.path + "/toml.local/c.key");
  CHECK((*toml)[1].dial_timeout == std::chrono::milliseconds(700));
  CHECK((*toml)[1].Key() != Upstream("toml.local").Key());  // the certificate is part of what answers

  auto docker = dir.HostsFor(d.path, "docker.local", Upstream("docker.local"));
  REQUIRE(docker);
  REQUIRE(docker->size() == 1);
  CHECK((*docker)[0].client_cert == d.path + "/docker.local/client.cert");  // the first by name, as curl takes one
  CHECK((*docker)[0].client_key == d.path + "/docker.local/client.key");
}

TEST_CASE("certs.d: a changed hosts.toml is read again after the recheck interval") {
  Dir d;
  WriteFile(d.path + "/r.local/hosts.toml", "[host.\"https://old-mirror.local\"]\n");
  HostsDirectory dir(std::chrono::milliseconds(50));
  auto first = dir.HostsFor(d.path, "r.local", Upstream("r.local"));
  REQUIRE(first);
  CHECK((*first)[0].host == "old-mirror.local");
  WriteFile(d.path + "/r.local/hosts.toml", "[host.\"https://new-mirror.local\"]\n");
  auto cached = dir.HostsFor(d.path, "r.local", Upstream("r.local"));
  CHECK((*cached)[0].host == "old-mirror.local");  // within the interval: not read again
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  auto second = dir.HostsFor(d.path, "r.local", Upstream("r.local"));
  REQUIRE(second);
  CHECK((*second)[0].host == "new-mirror.local");
}

}  // namespace
}  // namespace pullguard::registry

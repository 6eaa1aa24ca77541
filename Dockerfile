# pullguard's image: built from Debian's packages only, run as non-root on a slim base.
#   docker build -t pullguard:0.1.0 .
FROM debian:bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake pkg-config \
      libcpp-httplib-dev libssl-dev nlohmann-json3-dev libcurl4-openssl-dev libyaml-cpp-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY webhook/ webhook/
# Only the product: no tests, no benchmarks in the image build.
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build /build -j "$(nproc)" --target pullguard \
 && strip /build/pullguard

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
      libcpp-httplib0.11 libyaml-cpp0.7 libcurl4 libssl3 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/pullguard /usr/local/bin/pullguard
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/pullguard"]
CMD ["serve", "--listen=0.0.0.0:8443", "--tls-cert=/etc/pullguard/tls/tls.crt", "--tls-key=/etc/pullguard/tls/tls.key", "--policy=/etc/pullguard/policy/policy.yaml"]

# pullguard's image: built from Debian's packages only; the final image holds the binary, the
# shared libraries it loads, the CA bundle, the time zones and nothing else, and runs as UID 65532.
#   make image    (buildah, no Docker daemon; see .ci/image.sh)
FROM debian:bookworm AS build
# The build packages are the ones `make` installs (.ci/install-deps.sh, one list for both).
COPY .ci/install-deps.sh /tmp/install-deps.sh
RUN /tmp/install-deps.sh --product && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh
WORKDIR /src
COPY CMakeLists.txt ./
COPY webhook/ webhook/
# The built-in policy is this file, embedded at build time.
COPY policies/default.yaml policies/default.yaml
# Only the product: no tests, no benchmarks. Warnings are not fatal unless asked (CI builds the
# image with --build-arg PULLGUARD_WERROR=ON: this is its Release build, as `make release`).
ARG PULLGUARD_WERROR=OFF
# Ninja, as the Makefile builds: make waits at each library's boundary with a core idle.
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DPULLGUARD_WERROR=${PULLGUARD_WERROR} \
 && cmake --build /build -j "$(nproc)" --target pullguard \
 && strip /build/pullguard

# The runtime libraries come from Debian's runtime packages, on the slim base; ldd says which
# files the binary loads, and only those go into the image.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata \
      libcpp-httplib0.11 libyaml-cpp0.7 libcurl4 libssl3 libprometheus-cpp-core1.0 libsimdjson14 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/pullguard /rootfs/usr/local/bin/pullguard
# /usr/share/zoneinfo: `audit` reads a CronJob's spec.timeZone there, as the controller does.
RUN set -eu; \
    ldd /rootfs/usr/local/bin/pullguard | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | sort -u > /tmp/libs; \
    test -s /tmp/libs; \
    if ldd /rootfs/usr/local/bin/pullguard | grep -q 'not found'; then ldd /rootfs/usr/local/bin/pullguard; exit 1; fi; \
    while read -r lib; do mkdir -p "/rootfs$(dirname "$lib")"; cp -L "$lib" "/rootfs$lib"; done < /tmp/libs; \
    mkdir -p /rootfs/etc/ssl/certs /rootfs/tmp /rootfs/usr/share; \
    cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/; \
    cp -a /usr/share/zoneinfo /rootfs/usr/share/; \
    chmod 1777 /rootfs/tmp; \
    echo 'pullguard:x:65532:65532:pullguard:/nonexistent:/usr/sbin/nologin' > /rootfs/etc/passwd; \
    echo 'pullguard:x:65532:' > /rootfs/etc/group; \
    echo 'hosts: files dns' > /rootfs/etc/nsswitch.conf

FROM scratch
COPY --from=runtime /rootfs/ /
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/pullguard"]
CMD ["serve", "--listen=0.0.0.0:8443", "--tls-cert=/etc/pullguard/tls/tls.crt", "--tls-key=/etc/pullguard/tls/tls.key", "--policy=/etc/pullguard/policy/policy.yaml"]

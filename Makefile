# The two set-up commands of the README:
#   make run    install what is missing, build the pullguard binary (only it: not the tests),
#               make dev certificates, start the webhook on https://127.0.0.1:8443 with
#               policies/default.yaml
#   make test   install what is missing, build with clang under ASan and UBSan (warnings as
#               errors; folder build-test), run the whole test suite
# And for CI and releases:
#   make release  the Release configuration the image uses, warnings as errors
#   make image    build the image with buildah and run it (.ci/image.sh)
BUILD ?= build
# Ninja keeps both cores busy across library boundaries, where make waits for each library:
# a full build takes 40% less time (a ThreadSanitizer build of everything, 2 cores: 5m47s
# against 9m21s). A build folder keeps the generator it was made with.
export CMAKE_GENERATOR ?= Ninja
RELEASE_BUILD ?= build-release
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8443
POLICY ?= policies/default.yaml

.PHONY: deps build build-pullguard certs run test release image bench clean

deps:
	@.ci/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

# The binary alone, what `make run` needs: `build` compiles every test and benchmark too.
build-pullguard: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS) --target pullguard

certs: deps
	@certs/gen-dev-certs.sh certs/dev >/dev/null

run: build-pullguard certs
	$(BUILD)/pullguard serve --listen $(LISTEN) --tls-cert certs/dev/tls.crt --tls-key certs/dev/tls.key --policy $(POLICY)

# The whole suite under AddressSanitizer and UBSan, built with clang, the fuzz targets as
# libFuzzer binaries (.ci/sanitizers.sh). A build for tests that is not for speed: the benchmarks
# use `make bench`'s optimized build. The tests see loopback only (.ci/loopback-only.sh).
test: deps
	JOBS=$(JOBS) .ci/sanitizers.sh address,undefined

release: deps
	cmake -S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release -DPULLGUARD_WERROR=ON -DBUILD_TESTING=OFF
	cmake --build $(RELEASE_BUILD) -j $(JOBS) --target pullguard

image: deps
	.ci/image.sh all

clean:
	rm -rf $(BUILD) $(RELEASE_BUILD) build-test build-thread

bench: build
	bench/run.sh $(BUILD)

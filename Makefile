# The two ways in: `make run` (Larder in front of the demo Flask app) and `make test` (every test).
# Both install what they need first (scripts/bootstrap, Debian 12 packages).
# `make test` also runs each libFuzzer target for FUZZ_SMOKE_SECONDS; `make fuzz` runs them for
# FUZZ_SECONDS; `make test-sanitize` runs the raw-socket e2e suites against an ASan/UBSan larder
# (tests/fuzz/README.md, tests/e2e/README.md).

BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 12
SANITIZE_BUILD ?= build-sanitize
# The e2e suites test-sanitize runs: the raw-socket ones, and others that are fast (the store's
# objects, codings, ranges, purges, snapshots and spooled bodies among them).
SANITIZE_SUITES ?= test_attacks test_hostile_clients test_hostile_origins test_pipelining \
	test_errors test_passthrough test_upstream_failures test_upstream_pool test_http_caching \
	test_compression test_ranges test_purge test_snapshot test_request_bodies

.PHONY: all bootstrap build run test bench clean format fuzz-build fuzz test-sanitize test-package

all: build

bootstrap:
	scripts/bootstrap

build: bootstrap
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

run: build
	scripts/run-demo

test: build fuzz-build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600
	scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) $(JOBS)

# Only the fuzz targets and the libraries they link, with clang (LARDER_FUZZ in CMakeLists.txt).
fuzz-build: bootstrap
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLARDER_FUZZ=ON \
		-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS)

fuzz: fuzz-build
	scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(JOBS)

# larder alone under ASan/UBSan, then the e2e suites against it; a sanitizer report fails them.
test-sanitize: bootstrap
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DLARDER_SANITIZE=address,undefined -DBUILD_TESTING=OFF -DLARDER_MICROBENCH=OFF >/dev/null
	cmake --build $(SANITIZE_BUILD) -j$(JOBS) --target larder
	scripts/test-sanitize $(SANITIZE_BUILD)/larder $(SANITIZE_SUITES)

# The Debian package, built in build-package and installed into a temporary root (slow, so not
# part of `make test`; scripts/test-package says what it checks).
test-package: bootstrap
	JOBS=$(JOBS) scripts/test-package $(CURDIR)/build-package

bench:
	bench/run

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(SANITIZE_BUILD) build-package
